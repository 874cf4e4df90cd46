"""What the demo writes for each graded or rated item (DESIGN §14): the neglect items' evidence at a good or a
worrying grade, the items that cannot be graded yet at a stage of life, and the wellbeing indicators as each stage's
story rates them. Synthetic: no real person is in them. Placeholders as in `demo_answers`."""

from __future__ import annotations

# The wellbeing indicators as this child's situation rates them: (rating, evidence)
INDICATORS = {
    "unborn": {
        "safe": ("some_concerns", "{mum}'s first child was placed with his gran after neglect linked to alcohol; "
                                  "she has not drunk in this pregnancy, as far as the midwife knows."),
        "healthy": ("some_concerns", "{mum} missed two antenatal appointments early on but has kept every one "
                                     "since booking."),
        "achieving": ("not_known", "Not yet born. {mum} has been given information about play and talking with a "
                                   "new baby."),
        "nurtured": ("needs_met", "{mum} talks warmly about the baby and has clothes and a cot ready."),
        "active": ("not_known", "Not yet born."),
        "respected": ("needs_met", "{mum} has been part of every decision so far, and her wishes for the birth "
                                   "are recorded."),
        "responsible": ("not_known", "Not yet born."),
        "included": ("some_concerns", "Money is tight; the family have been referred to the baby bank and for "
                                      "money advice."),
    },
    "baby": {
        "safe": ("some_concerns", "{name} sleeps safely at night, but by day in a smoky living room."),
        "healthy": ("some_concerns", "{name} is gaining weight well; the twelve-week immunisations were missed "
                                     "and are rebooked."),
        "achieving": ("needs_met", "{name} is reaching milestones on time, smiling and reaching for toys."),
        "nurtured": ("needs_met", "Both parents respond warmly and quickly to {name}."),
        "active": ("needs_met", "{name} has time on a play mat every day and goes out in the pram."),
        "respected": ("needs_met", "Mum knows when {name} is tired or hungry and responds to it."),
        "responsible": ("not_known", "Too young for this to apply."),
        "included": ("some_concerns", "The family have not yet joined the local baby group; money is tight."),
    },
    "child": {
        "safe": ("some_concerns", "{name} has been left in charge of a younger sister on late shifts; the police "
                                  "were called to an argument before mum's partner left."),
        "healthy": ("significant_concerns", "{name} often arrives at school hungry and tired."),
        "achieving": ("some_concerns", "Attendance is up to 91% since the breakfast club, but {name} is tired in "
                                       "class."),
        "nurtured": ("needs_met", "{name} is close to mum and gran, who give real warmth."),
        "active": ("needs_met", "{name} plays football on Saturdays and loves drawing."),
        "respected": ("needs_met", "{name}'s views were asked for and are in the plan."),
        "responsible": ("some_concerns", "{name} takes on too much care of their sister for their age."),
        "included": ("some_concerns", "Money runs out at the end of the month; the family have applied for a "
                                      "clothing grant."),
    },
    "teen": {
        "safe": ("significant_concerns", "{name} has stayed out overnight twice and has been in contact online "
                                         "with older men."),
        "healthy": ("some_concerns", "{name} has low mood and has agreed to a CAMHS referral."),
        "achieving": ("significant_concerns", "{name} has missed a third of this term."),
        "nurtured": ("some_concerns", "{name} and mum are close but argue often; gran's death took away a key "
                                      "support."),
        "active": ("needs_met", "{name} trains with the school football team twice a week."),
        "respected": ("some_concerns", "{name} feels adults decide things without them, and asked to come to the "
                                       "meetings."),
        "responsible": ("some_concerns", "{name} cares for two younger brothers most evenings."),
        "included": ("needs_met", "{name} has good friends at school and a trusted guidance teacher."),
    },
}

# The neglect items' evidence: (what a grade of 1 or 2 looks like, what 3 to 5 looks like), for any child or for
# one stage of life where it differs.
GRADES: dict[str, dict[str, tuple[str, str]]] = {
    "nutrition_feeding": {
        "any": ("{name} has regular meals, and there was food in the kitchen on every visit.",
                "{name} often goes without a proper meal; there was little food in the kitchen on two visits."),
        "unborn": ("{mum} eats regularly and takes her vitamins.",
                   "{mum} often skips meals and has stopped taking her vitamins."),
        "baby": ("{name} is fed on demand and is gaining weight along the expected centile.",
                 "{name}'s feeds are irregular and weight gain has slowed since the last weigh-in."),
    },
    "hygiene_personal_care": {
        "any": ("{name} is clean and well cared for.",
                "{name} has often been unwashed, in the same clothes for several days."),
        "unborn": ("{mum} has what she needs to bath and change the baby.",
                   "There is nothing ready yet to bath or change the baby."),
        "baby": ("{name} is clean, with no sore skin, and bathed most days.",
                 "{name} had sore skin from not being changed often enough."),
    },
    "clothing_footwear": {
        "any": ("{name} has clean clothes that fit and a warm coat.",
                "{name} has few clothes that fit and no warm coat for the winter."),
        "unborn": ("Baby clothes from {mum}'s sister are washed and ready.", "There are no baby clothes ready yet."),
        "baby": ("{name} has clean sleepsuits and warm clothes for going out.",
                 "{name} had too few clean clothes and was cold when taken out."),
    },
    "home_conditions_housing": {
        "any": ("The flat is warm and clean, with room for everyone.",
                "The flat is cold and damp, with rubbish piled in the kitchen."),
    },
    "health_care": {
        "any": ("{name} is registered with a GP and a dentist, and appointments are kept.",
                "{name} has missed dental and eye appointments this year."),
        "unborn": ("{mum} has kept every antenatal appointment since booking.",
                   "{mum} has missed two of her four antenatal appointments."),
        "baby": ("{name} has had every immunisation due and every health visitor check.",
                 "{name}'s twelve-week immunisations were missed and not rebooked by the parents."),
    },
    "supervision_carers_present": {
        "any": ("An adult keeps an eye on {name} when at home.",
                "{name} was left unsupervised while the adults were in another room."),
        "baby": ("{name} is never left alone on the changing mat or the sofa.",
                 "{name} was left alone on the sofa while mum went outside to smoke."),
    },
    "arrangements_carers_absent": {
        "any": ("When mum works, gran looks after {name}.",
                "{name} has been left with a neighbour, or on their own, when mum works late."),
        "baby": ("{name} is only ever left with gran.", "{name} was left overnight with a neighbour's teenager."),
    },
    "safety_in_home": {
        "any": ("The flat is safe; medicines and cleaning products are out of reach.",
                "There were hazards within reach: tablets on a low shelf and a broken window."),
        "unborn": ("A safe place for the cot is ready in the parents' room.",
                   "There is no safe place yet for the baby to sleep."),
        "baby": ("{name} sleeps on their back in a cot with nothing loose in it.",
                 "{name} sleeps on the sofa with mum, in a smoky room."),
    },
    "safety_outside_online": {
        "any": ("{name} is only out with adults the family trust.",
                "{name} plays out late without anyone knowing where they are."),
        "baby": ("{name} goes out only with mum, dad or gran.", "{name} has been taken out late at night in the cold."),
        "teen": ("{name} tells mum where they are going and uses their phone safely.",
                 "{name} has stayed out overnight and is in contact online with older men."),
    },
    "warmth_responsiveness": {
        "any": ("Mum responds warmly to {name} and praises them.",
                "Mum is often flat and does not respond when {name} looks for comfort."),
    },
    "consistency_stability": {
        "any": ("{name} has the same routines and the same adults each day.",
                "Routines change from day to day, and the family have moved three times in eighteen months."),
    },
    "acceptance_belonging": {
        "any": ("{name} is clearly loved and part of the family.", "{name} says they feel in the way at home."),
        "baby": ("{name} is clearly loved by the whole family.", "Mum spoke of {name} as a burden on two visits."),
    },
    "stimulation_play": {
        "any": ("There are toys and books, and mum plays with {name}.",
                "There are few toys and little play; the television is on all day."),
        "baby": ("Mum and dad talk, sing and play with {name} on a mat every day.",
                 "{name} spends most of the day in a bouncer in front of the television."),
    },
    "education_attendance": {
        "any": ("{name}'s attendance is above 90%, and they arrive on time.",
                "{name}'s attendance is below 80%, and they are often late."),
    },
    "guidance_boundaries": {
        "any": ("Mum sets clear, fair limits.",
                "There are few limits: {name} decides when to go to bed and when to come home."),
    },
    "encouragement_recognition": {
        "any": ("Mum praises {name}'s efforts and puts their drawings on the fridge.",
                "{name}'s efforts are rarely noticed at home."),
        "baby": ("Mum and dad smile and talk back when {name} babbles.",
                 "{name}'s babbling and smiles get little response."),
    },
}
BEFORE_BIRTH = "Does not apply before birth; to be looked at once the baby is born."
# Items that cannot yet be graded at this stage of life ("not known"), with what the evidence box says instead
NOT_YET_GRADED: dict[str, dict[str, str]] = {
    "unborn": {item: BEFORE_BIRTH for item in (
        "supervision_carers_present", "arrangements_carers_absent", "safety_outside_online", "warmth_responsiveness",
        "consistency_stability", "acceptance_belonging", "stimulation_play", "education_attendance",
        "guidance_boundaries", "encouragement_recognition")},
    "baby": {"education_attendance": "{name} is a baby and at home with mum; this applies from nursery age.",
             "guidance_boundaries": "{name} is too young for limits to apply."},
}
