"""The words of the demo data (DESIGN §14), by the child's stage of life: what practitioners write about an unborn
baby, a baby, a school-age child and a teenager. Synthetic: no real person is in them."""

from __future__ import annotations

GIVEN = ["Ava", "Callum", "Isla", "Lewis", "Skye", "Ruaridh", "Eilidh", "Finlay", "Morven", "Kyle", "Siobhán", "Zoë",
         "Łukasz", "Oskar", "Zuzanna", "Ἀλέξανδρος", "Дмитрий", "Аня", "Aoife", "Seònaid", "Mhairi", "Calum", "Niamh",
         "Jayden", "Leah", "Murdo", "Iona", "Kacper", "Maja", "Amira", "Yusuf", "Chloé", "Ruby", "Archie", "Grace"]
FAMILY = ["MacLeod", "Campbell", "Ní Bhriain", "Ó Súilleabháin", "Wróblewski", "Nowak", "Stewart", "Robertson",
          "MacDonald", "Paterson", "Morrison", "Nikolaidis", "Иванова", "Kowalczyk", "Fraser", "Mac an t-Saoir",
          "Henderson", "Duncan", "Baird", "Hassan", "Sinclair", "McAllister", "Gillies", "Lindsay", "Ross"]
PLACES = ["Leith", "Govan", "Dundee", "Inverness", "Paisley", "Kirkcaldy", "Stornoway", "Motherwell", "Ayr", "Elgin"]
RELATIONS = ["Mother", "Father", "Stepfather", "Grandmother", "Older brother", "Sister", "Mother's partner", "Aunt"]
FEMALE = frozenset({"Ava", "Isla", "Skye", "Eilidh", "Morven", "Siobhán", "Zoë", "Zuzanna", "Аня", "Aoife", "Seònaid",
                    "Mhairi", "Niamh", "Leah", "Iona", "Maja", "Amira", "Chloé", "Ruby", "Grace"})
# who else lives with the child, with the given names that fit them; parents first, then the rest of the household
FEMALE_RELATIONS = frozenset({"Mother", "Grandmother", "Sister", "Older sister", "Aunt"})
OTHER_RELATIONS = ["Stepfather", "Grandmother", "Older brother", "Older sister", "Sister", "Brother",
                   "Mother's partner", "Aunt"]

# What practitioners write, by the child's stage of life: an unborn baby is not "seen after school".
SENTENCES = {
    "unborn": [
        "{mum} is {weeks} weeks pregnant and has been to two of her four antenatal appointments so far.",
        "The midwife reports that {mum} has started taking folic acid and has cut down on smoking.",
        "The flat has a cot and some baby clothes given by {mum}'s sister, but no pram or car seat yet.",
        "{mum} said she is worried about money once the baby arrives, as her partner's hours have been cut.",
        "Her partner agreed to meet the social worker and said he wants to be there for the birth.",
        "There was a previous child protection plan for an older sibling, who now lives with his gran.",
        "{mum} was open about past alcohol use and says she has not had a drink since finding out she was pregnant.",
        "The health visitor will make an antenatal visit at 32 weeks to talk about safe sleep and feeding.",
    ],
    "baby": [
        "{name} was asleep in a Moses basket when I arrived and woke for a feed, which mum gave calmly.",
        "The health visitor reports that {name} is gaining weight along the expected centile.",
        "Mum said the nights are hard and she has had little sleep since {name} was born.",
        "{name} has had the eight-week immunisations; the twelve-week ones were missed and rebooked.",
        "There was a smell of cigarette smoke in the living room where {name} sleeps during the day.",
        "Dad changed {name}'s nappy during the visit and talked to her softly while he did it.",
        "The flat was warm and there was formula, clean bottles and nappies in the kitchen.",
        "Mum has not yet registered with the baby group the health visitor suggested but says she will.",
    ],
    "child": [
        "{name} showed me their room, which had a bed, a few toys and a shelf of library books.",
        "{name}'s mother said mornings are the hardest time since her shifts changed and there is no one to help.",
        "School describe {name} as bright and keen to please, but often tired and sometimes without a packed lunch.",
        "There was food in the cupboards on the day of the visit; the fridge held milk, bread and some vegetables.",
        "{name} said they like football and drawing, and that they feel safe with their gran at weekends.",
        "{name}'s attendance has improved this term, from 78% to 91%, since the breakfast club place started.",
        "During the visit the television was loud and {name} was looking after a younger sister for a while.",
        "The named person has noticed that {name} often arrives in the same clothes several days in a row.",
        "I saw warm, playful moments between {name} and their mother, who praised a drawing brought home from school.",
        "There are times, at the end of the month, when money runs out and the electricity meter is not topped up.",
    ],
    "teen": [
        "{name} agreed to meet me at school rather than at home and talked openly about the arguments at home.",
        "{name} has been staying out late at weekends and twice did not come home until the next morning.",
        "Guidance staff say {name} is capable of good exam results but has missed a third of this term.",
        "{name} said they look after their younger brothers most evenings while mum works a late shift.",
        "{name}'s phone holds messages from older young people {name} met online; police have been informed.",
        "{name} has joined the school's football team and the coach describes real commitment at training.",
        "Mum says she and {name} used to be close and she wants that back, but does not know how to start.",
        "{name} has been seen by the school nurse about low mood and has agreed to a CAMHS referral.",
    ],
}
VIEWS = {
    "unborn": "The baby is not yet born. {mum} said she wants to keep her baby and to show she can care for it; "
              "she is frightened that the baby will be removed at birth, as her first child was.",
    "baby": "{name} is too young to give views. I observed {name} during two visits: she settled quickly when "
            "held by mum, made good eye contact and was soothed by her voice.",
    "child": "{name} drew a picture of their family with the dog in the middle. {name} said they like school "
             "when their friends are there, and wish mum and dad would stop shouting.",
    "teen": "{name} said: \"I just want people to stop treating me like a kid. Home is fine when it's calm.\" "
            "{name} wants more say in the plan and asked that meetings are after school hours.",
}
PLANS = {
    "unborn": [("safe", "A safe place for the baby to sleep and a plan for the first weeks at home.",
                "Health visitor to go through safe sleep with {mum} at 32 weeks; family support to provide a cot "
                "mattress and car seat.", "The baby sleeps in their own cot in the parents' room.",
                "Health visitor", "The health visitor sees the cot set up at the first visit after the birth."),
               ("healthy", "{mum} attends the rest of her antenatal care.",
                "Midwife to text reminders and offer appointments at the local clinic.",
                "The pregnancy is monitored and any problems are found early.", "Community midwife",
                "Every remaining appointment is kept.")],
    "baby": [("healthy", "{name} has the immunisations that were missed.",
              "Health visitor to rebook and go with mum to the clinic.", "{name} is fully immunised for her age.",
              "Health visitor", "The GP record shows the immunisations given."),
             ("safe", "{name} is not exposed to smoke at home.",
              "Smoking cessation referral for mum and dad; a smoke-free home agreement.",
              "{name} lives in a smoke-free home.", "Health visitor",
              "No smell of smoke on unannounced visits; parents report they smoke outside."),
             ("nurtured", "Mum has support and rest so that she can respond to {name} at night.",
              "Family support worker two mornings a week; gran to stay one night each weekend.",
              "Mum feels able to cope and {name}'s routines are steady.", "Family support worker",
              "Mum says she is coping better; the health visitor sees a settled routine.")],
    "child": [("healthy", "{name} needs a regular breakfast and a packed lunch each school day.",
               "Breakfast club place, and help for mum to claim school meals.",
               "{name} is not hungry at school.", "Named person (depute head teacher)",
               "School report that {name} eats breakfast and has lunch every day."),
              ("achieving", "{name} needs to be in school every day.",
               "School to phone mum by 9:30 on any day {name} is absent; mum to use the morning routine chart.",
               "{name}'s attendance is above 90%.", "Named person",
               "Attendance figures at the core group."),
              ("safe", "{name} should not be left to care for a younger sister.",
               "Mum to agree childcare with gran on late shifts; social worker to check at visits.",
               "An adult is always in charge of the children at home.", "Social worker (lead professional)",
               "{name} and mum both say gran is there on late shifts.")],
    "teen": [("safe", "{name} needs to be safe online and when out at night.",
              "Police and school to work through online safety with {name}; mum and {name} to agree a curfew "
              "and a way to call for a lift.", "{name} comes home at the agreed time and knows who to call.",
              "Social worker (lead professional)", "Fewer missing episodes; {name} says the plan is fair."),
             ("healthy", "{name}'s low mood is understood and treated.", "CAMHS referral; school nurse weekly.",
              "{name} feels better and has someone to talk to.", "School nurse",
              "{name}'s own rating of their mood each week."),
             ("responsible", "{name} is not a carer for their brothers every evening.",
              "Young carers assessment; after-school club for the brothers two evenings a week.",
              "{name} has evenings for homework and football.", "Young carers service",
              "{name} attends football training twice a week.")],
}
NOTES = {
    "good": ["Going well, as the professionals involved have seen", "A real strength: keep building on it",
             "Gran helps with this every weekend", "Mum manages this well"],
    "concern": ["A worry raised by more than one agency", "Getting in the way at home",
                "Not yet in place; part of the plan", "Made harder by money worries"],
    "unknown": ["Not yet known: to be discussed with the family", "Does not apply at present"],
}
# Resilience Matrix factors: resilience, vulnerability, protective environment, adversity
FACTORS = {
    "unborn": (["Mum is keeping her antenatal appointments"], ["An older sibling was on the register"],
               ["A supportive grandmother nearby"], ["Money worries at home"]),
    "baby": (["Settles well with mum"], ["Born slightly early"], ["Health visitor visits every week"],
             ["Smoking in the home"]),
    "child": (["Good relationship with gran", "Enjoys football"], ["Frequent house moves"],
              ["Engaged named person"], ["Money worries at home"]),
    "teen": (["Committed to the school football team"], ["Low mood"], ["A trusted guidance teacher"],
             ["Online contact with older adults"]),
}
AGENCIES = ["Social work", "Health visiting", "Primary school", "Police Scotland", "GP practice", "Housing"]
ROLES = ["Social worker", "Health visitor", "Named person", "Guidance teacher", "Family support worker"]
SOURCES = ["School records", "Health visitor", "Police Scotland", "GP practice", "Mum", "Social work file"]
