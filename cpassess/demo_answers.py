"""What a practitioner writes to each question of the version 2 forms and the core group review, by the child's
stage of life (DESIGN §14). Synthetic: no real person is in them.

Each stage tells one coherent story, the same one the sentences of `demo_words` tell: an unborn baby whose mother
drank before; a baby in a smoky flat with tired parents; a school-age child who goes to school hungry and minds a
younger sister; a teenager who stays out, is in contact with older men online and cares for two brothers.
Placeholders: {name} (the child, "the baby" before birth), {mum}, {language}, {heritage}.
"""

from __future__ import annotations

STAGES = ("unborn", "baby", "child", "teen")

# One answer per question and stage (a question absent for a stage is left unanswered for it).
TEXT: dict[str, dict[str, str]] = {
    "child_not_seen_reason": {
        "unborn": "The baby is not yet born. {mum} was visited at home at 28 weeks, and the midwife has seen her at "
                  "every antenatal appointment since the booking visit.",
        "baby": "{name} was asleep at gran's on the day of the announced visit; the health visitor saw {name} at the "
                "clinic two days later, and a home visit is booked for next week.",
        "child": "{name} was at school on both visits; I saw {name} there the following day with the named person.",
        "teen": "{name} was out when I called and did not answer texts; the guidance teacher has arranged for us to "
                "meet in school on Thursday.",
    },
    "not_seen_alone_reason": {
        "baby": "{name} is a baby: seen in mum's arms and in the cot, and fed and changed during the visit.",
        "child": "{name} did not want mum to leave the room on the first visit; we agreed to talk at school instead.",
        "teen": "{name} wanted mum there at the first meeting; we will meet on our own next week at school.",
    },
    "child_communication": {
        "unborn": "Not yet born. After the birth the health visitor will look at the baby's early communication: "
                  "eye contact, settling to a familiar voice, early sounds.",
        "baby": "{name} cries to be fed, settles to mum's voice, smiles and babbles back when spoken to. The health "
                "visitor has no concerns about hearing or early communication.",
        "child": "{name} talks clearly and confidently; at home the family also speak {language}. {name} finds it "
                 "easier to draw first and talk about worries afterwards.",
        "teen": "{name} talks well one to one but goes quiet in meetings. {name} prefers to text the social worker "
                "and asked for a short written note after each meeting.",
    },
    "interpreter_not_yet_reason": {
        stage: "An interpreter in {language} is booked for the next meeting. At the first visit {mum}'s sister "
               "interpreted; a family member is not used for the assessment itself."
        for stage in STAGES
    },
    "identity": {
        "unborn": "The baby's family are {heritage}. {mum} wants the baby to know their father's family as well as "
                  "her own.",
        "baby": "{name} is part of a close {heritage} family; gran visits most days and speaks to {name} in "
                "{language}.",
        "child": "{name} is proud of being {heritage}, supports the local football team and goes to a Saturday club "
                 "with cousins.",
        "teen": "{name} is working out who they are. They talk about their {heritage} background with pride and want "
                "their own views on their identity to be respected.",
    },
    "protected_characteristics_notes": {
        "child": "Letters and meetings for the family in {language} where they ask; the plan respects the family's "
                 "{heritage} background and faith.",
        "teen": "{name} looks after two younger brothers most evenings: a young carers assessment is part of the "
                "plan, and meetings are after school hours so {name} can come.",
    },
    "physical_care_daily_life": {
        "unborn": "{mum} is eating regularly and taking her vitamins. The flat is warm and clean; there is a cot but "
                  "no mattress, pram or car seat yet.",
        "baby": "{name} is fed every three to four hours and is gaining weight. Bottles were sterilised and the flat "
                "was warm, though it smelt of smoke.",
        "child": "{name} usually has tea at home but often goes to school without breakfast. Clothes are clean but "
                 "sometimes the same for several days; the flat is warm except at the end of the month, when the "
                 "meter runs out.",
        "teen": "{name} gets their own food most days and often misses meals. Their clothes are clean; the house is "
                "cluttered but warm.",
    },
    "safety_daily_life": {
        "unborn": "There are no hazards in the flat that cannot be put right before the birth. {mum}'s partner has "
                  "agreed to smoke outside. A talk about safe sleep with the health visitor is booked for 32 weeks.",
        "baby": "{name} sleeps on their back in a cot with nothing loose in it; in the day they sleep in a Moses "
                "basket in the living room, where the parents smoke. Mum leaves {name} with no one but gran.",
        "child": "Mum is in charge when she is home, but on late shifts {name} has been left to look after a younger "
                 "sister until about nine. The police were called to an argument between the adults earlier this "
                 "year.",
        "teen": "{name} has stayed out overnight twice this term and has been in contact online with older men; the "
                "police are involved. Mum often does not know where {name} is in the evening.",
    },
    "emotional_daily_life": {
        "unborn": "{mum} talks warmly about the baby and has chosen names. She is anxious that the baby will be "
                  "removed, as her first child was, and this sometimes makes her guarded with professionals.",
        "baby": "Mum and dad respond quickly when {name} cries and talk to {name} softly. Mum's tiredness sometimes "
                "shows as a flat mood, which the health visitor is keeping an eye on.",
        "child": "{name} is close to mum and to gran, and there were warm moments on every visit. The shouting at "
                 "home before mum's partner left still worries {name} at bedtime.",
        "teen": "{name} and mum love each other but argue often; {name} says they feel more like a carer than a "
                "child. Gran's death last year hit {name} hard.",
    },
    "development_daily_life": {
        "unborn": "{mum} has been given information about feeding, play and talking with a new baby, and will join "
                  "the antenatal class in the next fortnight.",
        "baby": "{name} is reaching milestones on time; mum plays with {name} on a mat and sings. They have not yet "
                "joined the baby group the health visitor suggested.",
        "child": "{name} is bright and keen to learn; attendance is up from 78% to 91% since the breakfast club "
                 "place. There are few books at home, but {name} goes to the library with gran.",
        "teen": "{name} has missed a third of this term and is behind in two subjects, but guidance staff believe "
                "{name} can do well. Football training is the one thing {name} never misses.",
    },
    "carers_capacity_narrative": {
        "unborn": "{mum} recognises she needs help and has kept every appointment since booking. She finds it harder "
                  "to talk about her past drinking. Her partner is supportive but works long hours.",
        "baby": "Both parents accept the worries about smoke and the missed immunisations and have kept most "
                "appointments. Help with mum's tiredness is the key to the other changes.",
        "child": "{mum} recognises the worries about food and supervision and took up the breakfast club at once. "
                 "Change has been slower with childcare on late shifts; she has now agreed a plan with gran.",
        "teen": "{mum} wants things to change but feels she has lost authority with {name}. She has worked well with "
                "the family support worker but has twice missed meetings at school.",
    },
    "child_views_not_obtained_reason": {
        "unborn": "The baby is not yet born. {mum}'s hopes for the baby are written with the parents' views.",
        "baby": "{name} is too young to give views. I observed {name} on two visits: {name} settled quickly when "
                "held by mum, made good eye contact and was soothed by her voice.",
    },
    "child_confided": {
        "child": "{name} asked that mum is not told they had talked about the shouting at night.",
        "teen": "{name} asked that the details of the messages on their phone are not shared with mum.",
    },
    "carers_views": {
        "unborn": "{mum} agrees she needs help to get ready for the baby. She does not accept that her past drinking "
                  "is still a risk, but says she wants the chance to show it.",
        "baby": "Mum and dad say they love {name} and are managing, though the nights are hard. They accept that the "
                "smoking is a problem and want help to stop.",
        "child": "{mum} says money is the main problem and that she is doing her best. She welcomed the breakfast "
                 "club and has agreed that gran will help on late shifts.",
        "teen": "{mum} says she is worried sick when {name} stays out and that {name} will not listen to her. She "
                "wants help to set limits without a row every night.",
    },
    "family_comments": {
        "unborn": "{mum} read the report with me and asked that the part about her first child says she has changed "
                  "since then. That is now recorded in her own words.",
        "baby": "Mum and dad read the report together. They agree with it and asked that the health visitor's praise "
                "for how they feed and settle {name} is included.",
        "child": "{mum} agreed with the report but felt it said too little about how hard she is trying; her words "
                 "are added to the parents' views.",
        "teen": "{mum} and {name} both read the report. {name} asked that their own words are kept exactly as they "
                "said them.",
    },
    "family_not_seen_reason": {
        stage: "The report was finished the day before the meeting. I will go through it with {mum} at home on "
               "Monday, with an interpreter if she wants one."
        for stage in STAGES
    },
    "agency_views": {
        "unborn": "The midwife shares the worry about past alcohol use but sees real commitment from {mum}. The GP "
                  "has no other concerns.",
        "baby": "The health visitor is positive about mum's care of {name} but worried about the smoke in the home "
                "and the missed immunisations.",
        "child": "The named person reports that {name}'s attendance is better but that {name} still often arrives "
                 "hungry. The police have had no call-out since mum's partner moved out.",
        "teen": "The school are worried about {name}'s attendance and low mood. The police are investigating the "
                "online contact and see {name} as a victim of it.",
    },
    "practitioner_analysis": {
        "unborn": "The baby will be born into a family that wants them, where past alcohol use led to an older child "
                  "being placed with his gran. {mum} has made real changes in this pregnancy. The question is "
                  "whether they will last through the strain of the first months, so support should start before "
                  "the birth.",
        "baby": "{name} is well cared for in most ways and is thriving. The risks come from smoke in the home and "
                "from mum's exhaustion; the parents accept both and can change them with help.",
        "child": "{name} is loved, but their basic needs are not met every day: they go to school hungry and are "
                 "sometimes left in charge of a younger sister. Mum is working hard; money and shift work are the "
                 "main pressures. With practical help the family can meet {name}'s needs.",
        "teen": "{name}'s safety outside the home is the main worry: staying out overnight and contact online with "
                "older men. At home {name} carries too much of the care of their brothers. Mum wants to help but "
                "needs support to set limits.",
    },
    "reporter_referral_reasons": {
        stage: "If the family cannot keep up the changes, {name} may need compulsory measures of supervision; the "
               "Reporter is best placed to decide."
        for stage in ("baby", "child", "teen")
    },
    # --- the GIRFEC questions ---
    "getting_in_the_way": {
        "unborn": "Past alcohol use and the removal of {mum}'s first child; money worries; no cot mattress or car "
                  "seat yet.",
        "baby": "Smoke in the home, the missed immunisations and mum's exhaustion.",
        "child": "Going to school hungry, being left to look after a younger sister, and money running out at the "
                 "end of each month.",
        "teen": "Staying out overnight, contact online with older men, low mood, and caring for two younger "
                "brothers most evenings.",
    },
    "information_needed": {
        "unborn": "Not yet: I need the GP's view of {mum}'s health and the social work file on her first child.",
        "baby": "Mostly. I am waiting for the GP's record of which immunisations {name} has had.",
        "child": "Mostly. I still need gran's view of the arrangements on late shifts.",
        "teen": "No: the police are still gathering information about the online contact, and CAMHS have not yet "
                "seen {name}.",
    },
    "help_i_can_give_now": {
        "unborn": "Visit {mum} every fortnight until the birth and go with her to the next antenatal appointment.",
        "baby": "Visit weekly, go with mum to the immunisation clinic, and refer both parents to the stop-smoking "
                "service.",
        "child": "Arrange the breakfast club place and help mum apply for free school meals and a clothing grant.",
        "teen": "Meet {name} weekly at school, and help mum and {name} agree a curfew and a safe way home.",
    },
    "help_my_agency_can_give": {
        "unborn": "Social work can pay for a cot mattress and car seat and offer a family support worker before "
                  "the birth.",
        "baby": "A family support worker two mornings a week.",
        "child": "Family support after school on late-shift days, and a referral for money advice.",
        "teen": "A young carers assessment, and places for the brothers at an after-school club.",
    },
    "help_needed_from_others": {
        "unborn": "The midwife and health visitor for antenatal care and safe sleep; alcohol services if {mum} wants "
                  "them.",
        "baby": "The health visitor and GP; the stop-smoking service.",
        "child": "The school (breakfast club, attendance), money advice, and Women's Aid for mum.",
        "teen": "The police and school on staying safe, CAMHS, and the young carers service.",
    },
    "grow_summary": {
        "unborn": "Not yet born; the baby's development is followed through {mum}'s antenatal care, which she now "
                  "keeps.",
        "baby": "{name} is healthy and developing well; the missed immunisations are the one gap.",
        "child": "{name} is bright and sociable but often tired and hungry in class.",
        "teen": "{name} is capable and committed to football, but has low mood and has missed a lot of school.",
    },
    "care_summary": {
        "unborn": "{mum} is preparing well emotionally; the mattress, car seat and safe sleep need to be in place "
                  "before the birth.",
        "baby": "Warm, responsive care; smoke in the home and mum's tiredness are the pressures.",
        "child": "{name} is loved; mornings and late shifts are when care breaks down.",
        "teen": "Mum cares deeply but struggles to set limits, and {name} carries too much of the caring.",
    },
    "wider_summary": {
        "unborn": "A supportive sister nearby; money worries and a small flat.",
        "baby": "Gran helps every weekend; money is tight and the family have not yet joined a baby group.",
        "child": "Good support at school and a caring gran; money runs out at the end of the month.",
        "teen": "A trusted guidance teacher and good friends; risks from older people met online.",
    },
    "resilience_analysis": {
        "unborn": "Before birth the baby's own resilience cannot be judged; the environment holds protection "
                  "({mum}'s commitment, her sister's help) and adversity (past alcohol use, money worries).",
        "baby": "{name} sits towards resilience in a mostly protective environment; the smoke and mum's tiredness "
                "pull towards adversity.",
        "child": "{name} is resilient, with strong relationships with mum and gran, but the environment is adverse "
                 "at the end of each month and on late shifts.",
        "teen": "{name} has real strengths but is vulnerable at present, and the world outside the home carries "
                "risk.",
    },
    "strengths": {
        "unborn": "{mum}'s honesty about the past, her commitment to antenatal care, and her sister's support.",
        "baby": "Warm, responsive parents who accept help; a supportive gran; {name} is thriving.",
        "child": "A loving mum and gran, a good school, and {name}'s own brightness and humour.",
        "teen": "{name}'s honesty, their commitment to football, a trusted guidance teacher, and mum's wish to put "
                "things right.",
    },
    "interim_safety_plan": {
        "unborn": "Until the plan is agreed: the midwife sees {mum} weekly, and {mum} will tell the midwife if she "
                  "feels she might drink.",
        "baby": "Until the plan is agreed: the parents smoke outside only, the health visitor visits weekly, and mum "
                "calls gran if she cannot cope at night.",
        "child": "Until the plan is agreed: gran is at the flat on every late shift, and the school tell the social "
                 "worker the same day if {name} is absent or hungry.",
        "teen": "Until the plan is agreed: {name} texts mum by 9pm to say where they are, and the police and school "
                "pass on any new contact from older men the same day.",
    },
    "contingency_plan": {
        "unborn": "If {mum} drinks again or misses antenatal care, a pre-birth CPPM will be called and the plan for "
                  "the baby's first weeks reviewed.",
        "baby": "If the flat is smoky at unannounced visits or an immunisation is missed again, the core group will "
                "meet early to review the plan.",
        "child": "If {name} is left in charge of their sister again, or attendance falls below 90%, the lead "
                 "professional will call a core group within a week.",
        "teen": "If {name} goes missing again, the police will follow the missing-person procedure and an IRD will "
                "be held the next working day.",
    },
    # --- the core group review ---
    "new_concerns": {
        "unborn": "No new concerns. {mum} missed one antenatal appointment because of a hospital mix-up; it was "
                  "rebooked the same week.",
        "baby": "The health visitor found the living room smoky again at one unannounced visit; dad says it was a "
                "visitor.",
        "child": "{name} was late to school four times in the last fortnight, each time on a day after mum's late "
                 "shift.",
        "teen": "{name} was found at a party in a flat in town at 1am; the police took {name} home.",
    },
    "new_concerns_sensitive": {
        "unborn": "The GP reports that {mum}'s ex-partner, the father of her first child, has been released from "
                  "prison and may try to make contact.",
        "child": "Police information: mum's former partner has been seen near the flat; a bail condition keeps him "
                 "away.",
        "teen": "Police information, not to be shared: the older man has been identified and is under "
                "investigation.",
    },
    "cgr_strengths": {
        "unborn": "{mum} has kept every other appointment, has the cot mattress and car seat, and has joined the "
                  "antenatal class.",
        "baby": "{name} has had the missed immunisations; mum is sleeping better with gran's help at weekends.",
        "child": "{name} has breakfast at school every day, and gran has covered every late shift.",
        "teen": "{name} has kept every meeting with the guidance teacher and has started with CAMHS.",
    },
    "family_views": {
        "unborn": "{mum} says she feels listened to and more hopeful. Her partner asked for evening meetings so he "
                  "can come.",
        "baby": "Mum and dad feel the plan is working and want the smoking help to go on.",
        "child": "{mum} says mornings are easier; she is worried about money over the winter.",
        "teen": "{mum} says things are a bit calmer; {name} feels the curfew is fair but too early at weekends.",
    },
    "recommendation_reasons": {
        "stay_registered": "Progress is real but recent; the core group wants to see it last before the review "
                           "CPPM considers removing {name}'s name from the register.",
        "remove_from_register": "Every action is achieved or well under way and the family have kept the changes "
                                "for three months; the risk of significant harm has reduced.",
        "earlier_review": "The new concerns mean the plan needs to change sooner than the planned review CPPM.",
    },
}

# The Children's Reporter is not referred an unborn baby; the answer that fits each recommendation otherwise.
RATIONALE = {
    "no_further_action": "The concerns raised have been looked into and are not borne out; the family know how to "
                         "ask for help if they need it.",
    "universal_services": "The family accept help, and the needs can be met by the named person and universal "
                          "services; a multi-agency plan is not needed now.",
    "childs_plan": "A multi-agency child's plan will bring together the support the family have agreed to, with one "
                   "lead professional and a review in three months.",
    "ird": "An inter-agency referral discussion is needed so that the police, health and social work can share "
           "what they know and decide the next steps.",
    "cppm": "A child protection planning meeting is needed to decide whether {name}'s name should be placed on the "
            "register, and to agree a plan to keep {name} safe.",
}
HARM_REASONS = {
    "yes": "Taken together, the risks above mean {name} is likely to suffer significant harm without a "
           "multi-agency plan now.",
    "not_yet_clear": "I need more information, in particular from the GP and the police, before I can say whether "
                     "{name} is at risk of significant harm.",
    "no": "I do not think {name} is at risk of significant harm: the needs are real, but the family meet most of "
          "them and accept help with the rest.",
}
PROPOSED_AREAS = {"unborn": ["parental_alcohol_misuse", "neglect"], "baby": ["neglect"],
                  "child": ["neglect", "domestic_abuse"],
                  "teen": ["child_sexual_exploitation", "child_placing_themselves_at_risk"]}
PARENTING_PRESSURES = {"unborn": ["alcohol_misuse", "housing_money_worries"],
                       "baby": ["mental_health", "housing_money_worries"],
                       "child": ["domestic_abuse", "housing_money_worries"], "teen": ["mental_health"]}
SOURCES_OF_INFORMATION = {"unborn": ["home_visit", "parents_carers", "health_visitor_gp"],
                          "baby": ["home_visit", "parents_carers", "health_visitor_gp"],
                          "child": ["home_visit", "child_seen_alone", "parents_carers", "school_nursery"],
                          "teen": ["child_seen_alone", "parents_carers", "school_nursery", "police"]}
VIEWS_GATHERED = {"baby": ["observation"], "child": ["talked_alone", "play_drawing"],
                  "teen": ["talked_alone", "trusted_adult"]}

# Visits: (days before the assessment, place, announced, sleeping space seen, who was seen, what I saw)
VISITS: dict[str, list[tuple[int, str, str, str | None, str, str]]] = {
    "unborn": [(20, "Family home", "announced", "yes", "{mum} and her partner",
                "The flat was warm and tidy. The space for the baby's cot is in the parents' bedroom; there is a cot "
                "but no mattress yet."),
               (8, "Antenatal clinic", "announced", None, "{mum} and the community midwife",
                "A joint visit with the midwife; {mum} talked about her hopes for the birth and asked about help "
                "with a pram.")],
    "baby": [(18, "Family home", "announced", "yes", "{name}, mum and dad",
              "{name} was asleep in a Moses basket beside the sofa; the cot upstairs had clean bedding and nothing "
              "loose in it."),
             (6, "Family home", "unannounced", "yes", "{name} and mum",
              "An unannounced visit mid-morning. Mum was tired but had fed and changed {name}; the living room "
              "smelt of smoke.")],
    "child": [(16, "Family home", "announced", "yes", "{name}, mum and {name}'s younger sister",
               "{name} showed me their bedroom: a bed with a duvet, clothes in drawers and some toys. The fridge had "
               "milk and bread."),
              (9, "School", "announced", None, "{name}, on their own",
               "We talked in the library for half an hour; {name} drew a picture of home and talked about "
               "mornings.")],
    "teen": [(15, "School", "announced", None, "{name}, on their own",
              "{name} chose to meet at school and talked openly about home and staying out late."),
             (4, "Family home", "unannounced", "yes", "{name}'s mum and two younger brothers",
              "Early evening; {name} was out. Mum showed me {name}'s room, which had a bed and a desk; the brothers "
              "had had their tea.")],
}
# Brothers and sisters: (years old, lives with the child, relationship)
SIBLINGS = {"unborn": [(7, "no", "Half-brother; lives with his gran under a compulsory supervision order")],
            "baby": [(4, "yes", "Sister")], "child": [(3, "yes", "Younger sister")],
            "teen": [(10, "yes", "Brother"), (8, "yes", "Brother")]}
# Each carer's capacity to change: what must change, by stage (the mother first, then a partner where there is one)
MUST_CHANGE = {
    "unborn": ["Stay off alcohol for the rest of the pregnancy and keep every antenatal appointment; have the cot "
               "mattress and car seat ready before the birth.",
               "Support {mum} to stay off alcohol, and come to the planned visits."],
    "baby": ["Keep {name}'s home smoke-free and take {name} to the rebooked immunisations.",
             "Smoke outside only, and share the night feeds so mum can rest."],
    "child": ["Make sure {name} has breakfast and gets to school on time every day, and never leave {name} in "
              "charge of their sister."],
    "teen": ["Agree a curfew with {name} and know where {name} is in the evening; arrange care for the younger "
             "brothers so {name} is not their carer."],
}
PARTNER = {"unborn": "{mum}'s partner", "baby": "{name}'s dad"}
# Risks and what protects the child: (risk, protective factors, likelihood)
RISKS = {
    "unborn": [("Drinking during the rest of the pregnancy could harm the baby's development.",
                "{mum} has not drunk since finding out she was pregnant and keeps her antenatal appointments.",
                "medium"),
               ("The baby may come home to a flat without a safe place to sleep.",
                "{mum}'s sister has given a cot; family support will provide a mattress and car seat.", "low")],
    "baby": [("{name} breathes cigarette smoke during the day.",
              "Both parents have agreed to smoke outside and have accepted a referral to the stop-smoking service.",
              "medium"),
             ("Mum's exhaustion may make it hard to respond to {name} at night.",
              "Gran stays one night each weekend, and the family support worker visits twice a week.", "medium")],
    "child": [("{name} goes to school hungry and is sometimes left in charge of a younger sister.",
               "A breakfast club place; mum has agreed childcare with gran on late shifts.", "medium"),
              ("Arguments between the adults at home frighten {name}.",
               "Mum's partner has moved out, and mum has been in touch with Women's Aid.", "low")],
    "teen": [("{name} is in contact online with older men and has stayed out overnight.",
              "The police and school are working with {name} on staying safe; {name} trusts the guidance teacher.",
              "high"),
             ("{name}'s low mood may get worse.",
              "A CAMHS referral has been made, and the school nurse sees {name} every week.", "medium")],
}
# Contributors and core group members: (agency, role)
PROFESSIONALS = {
    "unborn": [("Community midwifery", "Midwife"), ("Health visiting", "Health visitor (named person after the "
                                                                      "birth)"), ("Social work", "Social worker")],
    "baby": [("Health visiting", "Health visitor (named person)"), ("GP practice", "GP"),
             ("Social work", "Social worker")],
    "child": [("Primary school", "Depute head teacher (named person)"), ("Social work", "Social worker"),
              ("Police Scotland", "Constable, domestic abuse unit")],
    "teen": [("High school", "Guidance teacher (named person)"), ("Police Scotland", "Detective constable"),
             ("School nursing", "School nurse")],
}
# Progress on each action of the child's plan (in the order of demo_words.PLANS): (progress, what happened)
PROGRESS = {
    "unborn": [("achieved", "The health visitor went through safe sleep with {mum}; the cot mattress and car seat "
                            "were delivered."),
               ("partly", "{mum} has kept three of the four appointments since the plan; one was missed through a "
                          "hospital mix-up and rebooked.")],
    "baby": [("achieved", "{name} had the missed immunisations at the clinic, with the health visitor there."),
             ("partly", "No smell of smoke at two of three unannounced visits; both parents are with the "
                        "stop-smoking service."),
             ("partly", "The family support worker visits twice a week; gran has stayed most weekends.")],
    "child": [("achieved", "{name} goes to breakfast club every day and the free school meals are in place."),
              ("partly", "Attendance is 93% this month, but {name} was late four times after late shifts."),
              ("achieved", "Gran has been at the flat on every late shift since the plan; {name} and mum both say "
                           "so.")],
    "teen": [("partly", "{name} has kept to the curfew on weeknights; one late night at a party in town."),
             ("partly", "{name} has had a first appointment with CAMHS and sees the school nurse weekly."),
             ("not_yet", "The young carers assessment is booked for next month; the brothers start the "
                         "after-school club after the holidays.")],
}
LANGUAGES = {"Nowak": "Polish", "Wróblewski": "Polish", "Kowalczyk": "Polish", "Hassan": "Arabic",
             "Иванова": "Russian", "Nikolaidis": "Greek"}
HERITAGE = {"Polish": "Polish", "Arabic": "Sudanese", "Russian": "Russian", "Greek": "Greek", "English": "Scottish"}

