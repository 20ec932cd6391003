"""The demo's funding requests: invented but plausible requests of every type, at every point of their
life, for each demo cluster, so that every list and page has something to show.

Each request is written, submitted and moved on through the same services a school, the Team Around the
Cluster and the meeting would use, by the demo account that holds the role. A request is looked up by its
lead school and title, so loading twice adds nothing. Dates are worked out from the academic year and today,
so the demo stays believable whenever it is loaded.
"""

import datetime
from dataclasses import dataclass

from clusterfund.accounts.models import User
from clusterfund.demo.demo_triage import triage_move
from clusterfund.funding_requests import services
from clusterfund.funding_requests.lifecycle import RequestStatus as S
from clusterfund.funding_requests.models import ConsentMethod, FundingRequest
from clusterfund.funding_requests.models import RequestType as T
from clusterfund.organisations.models import School
from clusterfund.pupils.models import Pupil
from clusterfund.pupils.needs import AreaOfNeed as Area

DAY = datetime.timedelta(days=1)
APPROACH = ("assessed", "planned", "done", "reviewed", "advice_received")


@dataclass(frozen=True)
class DemoRequest:
    school: int  # the lead school's URN
    author: str  # the email of the demo account that writes it
    request_type: str
    status: str  # where the request ends up
    title: str
    need: str
    area: str
    other_areas: tuple[str, ...] = ()
    pupils: tuple[str, ...] = ()  # the lead school's pupils, by reference
    # (school URN, its part, its pupils, (how its pupils' parents or carers agreed, how many days ago)): a
    # school that joins the request and confirms its part
    joint: tuple[int, str, tuple[str, ...], tuple[str, int]] | None = None
    benefit: tuple[int, tuple[int, ...]] | None = None  # a project's children and schools (URNs)
    approach: tuple[str, str, str, str, str] | None = None  # assessed, planned, done, reviewed, advice
    # "next": support starts after the next meeting; "soon": within a week (an emergency); "started": it
    # began a few weeks ago; "ended": it is over
    when: str = "next"
    outcomes: tuple[tuple[str, str], ...] = ()  # (what should change, how it is measured), by the end date
    # (what, who provides it, hours or units, cost of one in pence, terms after the one support starts in)
    lines: tuple[tuple[str, str, str, int, int], ...] = ()
    consent: tuple[str, int] | None = None  # (how the parent or carer agreed, how many days ago)
    route: tuple[str, ...] | None = None  # the moves after submission, when not the usual ones
    # (the status after which the school changes it, the field, the new text): a new version
    change: tuple[str, str, str] | None = None
    withdrawn_reason: str = ""


_TRIAGED = (S.IN_TRIAGE, S.READY_FOR_MEETING)
USUAL_ROUTE: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (),
    S.IN_TRIAGE: (S.IN_TRIAGE,),
    S.MORE_INFORMATION_NEEDED: (S.IN_TRIAGE, S.MORE_INFORMATION_NEEDED),
    S.READY_FOR_MEETING: _TRIAGED,
    S.APPROVED: (*_TRIAGED, S.APPROVED),
    S.PART_APPROVED: (*_TRIAGED, S.PART_APPROVED),
    S.DECLINED: (*_TRIAGED, S.DECLINED),
    S.DEFERRED: (*_TRIAGED, S.DEFERRED),
    S.RESOLVED_WITH_ADVICE: (S.IN_TRIAGE, S.RESOLVED_WITH_ADVICE),
    S.REDIRECTED: (S.IN_TRIAGE, S.REDIRECTED),
    S.IN_DELIVERY: (*_TRIAGED, S.APPROVED, S.IN_DELIVERY),
    S.REVIEWED: (*_TRIAGED, S.APPROVED, S.IN_DELIVERY, S.REVIEWED),
    S.CLOSED: (*_TRIAGED, S.APPROVED, S.IN_DELIVERY, S.REVIEWED, S.CLOSED),
    S.WITHDRAWN: (),
}
# Moves the lead school makes; triage moves are the Team Around the Cluster's, decisions the meeting's.
SCHOOL_MOVES = frozenset({S.SUBMITTED, S.IN_DELIVERY, S.REVIEWED, S.CLOSED})
DELIVERY_MOVES = frozenset({S.IN_DELIVERY, S.REVIEWED, S.CLOSED})

SIGNED, EMAIL, MEETING, PHONE = (
    ConsentMethod.SIGNED_FORM,
    ConsentMethod.EMAIL,
    ConsentMethod.MEETING,
    ConsentMethod.PHONE,
)
C_I = Area.COMMUNICATION_AND_INTERACTION
C_L = Area.COGNITION_AND_LEARNING
SEMH = Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH
S_P = Area.SENSORY_AND_PHYSICAL

# Kirklees Cluster 14
K_ST_THOMAS, K_BIRKBY, K_ASHBROW, K_FIXBY = 151801, 107626, 107628, 151324
K_PRIMARIES = (151801, 107601, 138584, 107626, 107628, 148659, 148484, 151324, 145236)
K_SECONDARY = 136502
ST = "senco.stthomas@kirklees.example"
BJ = "senco.birkbyjunior@kirklees.example"
AB = "head.ashbrow@kirklees.example"
K_SEND_TEAM = "send.admin@kirklees.example"

KIRKLEES_REQUESTS = (
    DemoRequest(
        K_ST_THOMAS,
        ST,
        T.ADVICE_ONLY,
        S.DRAFT,
        "Advice while waiting for an EHC needs assessment",
        "A Reception child with very little spoken language who communicates mostly by taking an adult to "
        "what she wants. An EHC needs assessment has been requested. We would like the team's advice "
        "on what to put in place in the meantime, especially for phonics and at lunchtimes.",
        C_I,
        pupils=("ST-25-003",),
    ),
    DemoRequest(
        K_ST_THOMAS,
        ST,
        T.INDIVIDUAL,
        S.SUBMITTED,
        "Speech and language therapy for a Year 3 pupil",
        "An autistic Year 3 pupil who understands far more than she can say. She struggles to explain what "
        "she needs, becomes distressed at changes in the day and has started refusing to come into class in "
        "the mornings.",
        C_I,
        (SEMH,),
        pupils=("ST-24-017",),
        approach=(
            "Language Link screening in September; a Boxall Profile a month later; a meeting with her "
            "parents to write a one-page profile.",
            "A visual timetable, a now-and-next board, a daily 10-minute language group and a calm space.",
            "All in place for eight weeks, run by the class teaching assistant; the language group three "
            "times a week.",
            "Morning distress has fallen from most days to twice a week. Her spoken language has not moved: "
            "she still uses two- or three-word phrases and cannot retell a simple story.",
            "NHS speech and language therapy assessed her in Year 1 and discharged her with a programme for "
            "school. The autism outreach team visited this term.",
        ),
        outcomes=(
            (
                "Uses sentences of four words or more to ask for help in class",
                "Language Link re-assessment, and a tally of requests in two observed lessons",
            ),
            (
                "Comes into class calmly on at least four mornings a week",
                "The teaching assistant's morning log",
            ),
        ),
        lines=(
            (
                "Speech and language therapist: assessment and programme",
                "Independent therapist",
                "3",
                7000,
                0,
            ),
            ("Speech and language therapy sessions in school", "Independent therapist", "8", 7000, 1),
            ("Teaching assistant to practise the programme daily", "St Thomas staff", "40", 2100, 1),
        ),
        consent=(SIGNED, 18),
        change=(
            S.SUBMITTED,
            "need",
            "An autistic Year 3 pupil who understands far more than she can say. She struggles to explain "
            "what she needs, becomes distressed at changes in the day and has started refusing to come into "
            "class in the mornings. Since we applied she has missed two whole days, and her parents say she "
            "is not sleeping.",
        ),
    ),
    DemoRequest(
        K_ASHBROW,
        AB,
        T.GROUP,
        S.IN_TRIAGE,
        "Dyslexia screening and a structured literacy group for Year 5",
        "Two Year 5 pupils reading around three years below their age despite good phonics teaching. Both "
        "find spelling very hard, avoid writing and tire quickly. We would like them screened properly for "
        "dyslexia and a structured, multisensory literacy group.",
        C_L,
        pupils=("AB/4/08", "AB/4/19"),
        approach=(
            "Single-word reading and spelling tests in September; questionnaires for teachers and parents; "
            "eyesight checked by the family optician.",
            "Daily precision teaching of common words, coloured overlays, writing frames and a reader in "
            "tests.",
            "A term of daily 10-minute precision teaching with a teaching assistant.",
            "Each pupil reads about 40 more words on sight, but reading age has moved only two months and "
            "spelling not at all.",
            "",
        ),
        outcomes=(
            ("Each pupil's reading age rises by at least six months", "Reading test before and after"),
            (
                "Each pupil spells at least 8 in 10 of the taught words correctly in their own writing",
                "Checks of independent writing each half term",
            ),
        ),
        lines=(
            (
                "Specialist teacher dyslexia screening, two pupils",
                "Specialist Teaching Service",
                "6",
                5500,
                0,
            ),
            ("Structured literacy group, three sessions a week", "Ashbrow staff", "36", 2100, 0),
            ("Programme materials and decodable readers", "Publisher", "1", 38500, 0),
        ),
        consent=(EMAIL, 24),
    ),
    DemoRequest(
        K_ASHBROW,
        AB,
        T.INDIVIDUAL,
        S.MORE_INFORMATION_NEEDED,
        "Small-step learning support for a Year 2 pupil",
        "A Year 2 pupil working at about the level of a Reception child in reading, writing and maths. She "
        "is happy in school but falls further behind her class each term.",
        C_L,
        pupils=("AB/7/12",),
        approach=(
            "Phonics screening check in Year 1 (12 out of 40); a small-step assessment; hearing test clear.",
            "Daily pre-teaching of maths vocabulary and a small-step phonics catch-up programme.",
            "Two terms of daily 15-minute sessions with a teaching assistant.",
            "Small, steady progress in phonics; number work has not moved since the summer.",
            "",
        ),
        outcomes=(
            (
                "Counts reliably to 20 and knows number bonds to 10",
                "Small-step re-assessment at the end of the support",
            ),
            ("Reads and writes simple sentences using phase 3 sounds", "Phonics tracker each half term"),
        ),
        lines=(
            ("Teaching assistant, daily one-to-one small-step programme", "Ashbrow staff", "60", 2000, 0),
            ("Specialist teacher assessment and advice visit", "Specialist Teaching Service", "4", 5500, 0),
        ),
        consent=(MEETING, 40),
    ),
    DemoRequest(
        K_ST_THOMAS,
        ST,
        T.PROJECT,
        S.READY_FOR_MEETING,
        "Elklan language training for teaching assistants across the cluster",
        "Speech, language and communication is the most common need on the SEN registers of the cluster's "
        "primary schools, and children wait months for NHS speech and language therapy. We want to train "
        "two teaching assistants in each primary school with Elklan, so every school has staff who can run "
        "evidence-based language groups.",
        C_I,
        benefit=(160, K_PRIMARIES),
        approach=(
            "A count of the primary schools' SEN registers in September: 212 pupils with speech, language "
            "and communication needs, and an NHS waiting list of around 30 weeks.",
            "Shared training, so that each school can run its own language groups.",
            "Two schools already have one Elklan-trained assistant each, whose groups ran last year.",
            "In those two schools, 14 of the 18 children in groups moved up a band on Language Link. The "
            "other schools have no trained staff.",
            "The NHS speech and language therapy team supports the plan and will co-deliver a session.",
        ),
        outcomes=(
            (
                "Every primary school in the cluster has two Elklan-trained teaching assistants",
                "Elklan accreditation at the end of the course",
            ),
            (
                "At least 7 in 10 children in the new language groups move up a band",
                "Language Link at the start and end of each group",
            ),
        ),
        lines=(
            (
                "Elklan Speech and Language Support for 5-11s, ten tutor-led sessions",
                "Elklan tutor",
                "10",
                26000,
                1,
            ),
            ("Course books and accreditation, per teaching assistant", "Elklan", "18", 9500, 1),
            ("Therapist co-delivery and follow-up visits", "NHS speech and language therapy", "6", 7000, 2),
        ),
    ),
    DemoRequest(
        K_ST_THOMAS,
        ST,
        T.GROUP,
        S.APPROVED,
        "Enhanced transition group for anxious Year 6 pupils",
        "Year 6 pupils who are very anxious about moving to secondary school, with a history of missing "
        "school when worried. They need a planned, gradual transition rather than the usual two induction "
        "days.",
        SEMH,
        pupils=("ST-22-088",),
        joint=(
            K_BIRKBY,
            "Our Year 6 pupil joins the group and the visits to secondary school",
            ("BJ-0419",),
            (EMAIL, 26),
        ),
        approach=(
            "Strengths and Difficulties Questionnaires with parents and staff; the pupils' own worries about "
            "moving school; attendance records.",
            "Transition passports, extra visits and a named adult at the secondary school.",
            "Weekly check-ins with each school's learning mentor since September; a photo book of the new "
            "school.",
            "Worries are lower in school, but both pupils still say they will not go to secondary school, "
            "and attendance dips on Mondays.",
            "The Early Support worker advised a small-group programme with the secondary school's staff.",
        ),
        outcomes=(
            (
                "Both pupils attend at least 9 in 10 of the secondary school's induction days",
                "Induction registers",
            ),
            (
                "Each pupil's emotional symptoms score falls",
                "Strengths and Difficulties Questionnaire with parents and staff, before and after",
            ),
        ),
        lines=(
            ("Transition group, ten weekly sessions", "Learning mentors of both schools", "20", 2200, 1),
            ("Drawing and Talking sessions", "Early Support practitioner", "10", 4500, 1),
            ("Extra visits to the secondary school with a familiar adult", "Both schools", "12", 2100, 2),
            ("Secondary SENCO time for joint planning", "North Huddersfield Trust School", "6", 4500, 2),
        ),
        consent=(SIGNED, 30),
    ),
    DemoRequest(
        K_BIRKBY,
        BJ,
        T.INDIVIDUAL,
        S.PART_APPROVED,
        "Soundfield system and radio aid for a Year 4 pupil with hearing loss",
        "A Year 4 pupil with moderate permanent hearing loss in both ears who wears hearing aids. In a noisy "
        "classroom he misses instructions, copies other children and is falling behind in spelling.",
        S_P,
        (C_L,),
        pupils=("BJ-0311",),
        approach=(
            "Audiology reports; a listening check by the Teacher of the Deaf; spelling age.",
            "Seating near the teacher, pre-teaching of new words, subtitles on videos.",
            "In place since Year 3, with a deaf awareness session for his class.",
            "He hears well one-to-one but still misses about half of what is said in whole-class teaching.",
            "The Sensory Support Service recommends a classroom soundfield system and a personal radio aid.",
        ),
        outcomes=(
            (
                "Follows two-step instructions in whole-class teaching without having them repeated",
                "Teacher of the Deaf observation before and after",
            ),
            ("Spelling age rises by six months", "Spelling test at the start and end"),
        ),
        lines=(
            ("Classroom soundfield system, supplied and fitted", "Supplier", "1", 135000, 0),
            ("Personal radio aid that works with his hearing aids", "Supplier", "1", 189500, 0),
            ("Teacher of the Deaf advice visits", "Sensory Support Service", "4", 6500, 1),
        ),
        consent=(EMAIL, 50),
        route=(S.IN_TRIAGE, S.MORE_INFORMATION_NEEDED, S.SUBMITTED, *_TRIAGED, S.PART_APPROVED),
        change=(
            S.MORE_INFORMATION_NEEDED,
            "advice_received",
            "The Sensory Support Service recommends a classroom soundfield system and a personal radio aid. "
            "Its latest report confirms that no radio aid is free in its loan stock this year.",
        ),
    ),
    DemoRequest(
        K_ASHBROW,
        AB,
        T.PROJECT,
        S.DECLINED,
        "A sensory room that schools in the cluster can book",
        "Children across the cluster need regular sensory breaks in a calm space. Ashbrow has an unused "
        "classroom that could become a sensory room that nearby schools could book.",
        S_P,
        (SEMH,),
        benefit=(25, (K_ASHBROW, 148484, K_FIXBY)),
        approach=(
            "Occupational therapists' sensory profiles for six Ashbrow pupils; requests from two nearby "
            "schools.",
            "Morning sensory circuits, movement breaks and ear defenders.",
            "Sensory circuits have run in the hall for a term.",
            "Children settle better after circuits, but the hall is not free every day.",
            "NHS occupational therapy gave sensory diets for four of the pupils.",
        ),
        outcomes=(
            (
                "Children with sensory diets use the room daily and return to class within 15 minutes",
                "The room's booking log and class teachers' records",
            ),
        ),
        lines=(
            ("Sensory room equipment: bubble tube, fibre optics, soft play", "Supplier", "1", 420000, 1),
            ("Installation, blackout blinds and electrical work", "Contractor", "1", 165000, 1),
        ),
    ),
    DemoRequest(
        K_ST_THOMAS,
        ST,
        T.INDIVIDUAL,
        S.DEFERRED,
        "Assistive technology and touch-typing for a Year 5 pupil with dyslexia",
        "A Year 5 pupil with dyslexia whose ideas are good but whose handwriting and spelling make his work "
        "very hard to read. He is becoming reluctant to write at all.",
        C_L,
        pupils=("ST-23-042",),
        approach=(
            "A specialist teacher's diagnostic assessment in Year 4 (dyslexia); handwriting speed of six "
            "words a minute.",
            "Word banks, a scribe for longer tasks and a trial of a laptop.",
            "A school laptop with free typing software for a half term.",
            "He wrote more, but types slowly with two fingers; he needs a proper course and his own device.",
            "The Specialist Teaching Service recommended touch-typing and speech-to-text software.",
        ),
        outcomes=(
            ("Types at 15 words a minute", "Typing speed check each half term"),
            ("Writes a page independently in a lesson", "Samples of his work"),
        ),
        lines=(
            ("Laptop with speech-to-text and word prediction software", "Supplier", "1", 64900, 0),
            ("Touch-typing course licence", "Supplier", "1", 4500, 0),
            ("Teaching assistant support, three 20-minute sessions a week", "St Thomas staff", "12", 2100, 1),
        ),
        consent=(SIGNED, 60),
    ),
    DemoRequest(
        K_BIRKBY,
        BJ,
        T.ADVICE_ONLY,
        S.RESOLVED_WITH_ADVICE,
        "Advice on a Year 3 pupil who does not speak in school",
        "A Year 3 pupil who talks freely at home but has not spoken to any adult in school since he joined "
        "us in Year 2. He joins in without words and his learning is where we would expect.",
        SEMH,
        (C_I,),
        approach=(
            "A video from his parents of him talking at home; observations at playtime; no concerns about "
            "his hearing or understanding.",
            "No pressure to speak; pointing and mini whiteboards instead; a key adult.",
            "In place for a term.",
            "He is more relaxed and now whispers to one friend, but still does not speak to adults.",
            "",
        ),
    ),
    DemoRequest(
        K_ST_THOMAS,
        ST,
        T.INDIVIDUAL,
        S.REDIRECTED,
        "Extra one-to-one support for a Year 6 pupil with an EHC plan",
        "A Year 6 pupil with an EHC plan for social, emotional and mental health needs whose difficulties "
        "have grown this term: she is leaving the classroom several times a day.",
        SEMH,
        pupils=("ST-22-088",),
        approach=(
            "Behaviour logs; a Boxall Profile; her own and her parents' views.",
            "The provision in her EHC plan: 15 hours of support, a daily check-in and a calm space.",
            "All of it in place since September.",
            "Leaving class has risen from once a week to several times a day since half term.",
            "CAMHS are involved and will see her again in the spring.",
        ),
        outcomes=(("Stays in class for whole lessons on four days out of five", "Behaviour log"),),
        lines=(
            (
                "Extra teaching assistant support, 10 hours a week for a term",
                "St Thomas staff",
                "120",
                2100,
                0,
            ),
        ),
        consent=(PHONE, 12),
    ),
    DemoRequest(
        K_ASHBROW,
        AB,
        T.CONTINGENCY,
        S.IN_DELIVERY,
        "Emergency support for a newly arrived Year 1 pupil",
        "A Year 1 pupil who arrived from another local authority last month with significant communication "
        "needs and very little language. He cannot yet follow class routines safely: he runs out of the "
        "classroom and does not respond to his name. His previous school's records have not arrived.",
        C_I,
        (SEMH,),
        pupils=("AB/7/31",),
        approach=(
            "Observation in class and at play; a home visit; hearing and vision checks asked for through the "
            "school nurse.",
            "A visual timetable, a quiet workstation and a key adult at every change in the day.",
            "Covered from the school's own staffing for four weeks.",
            "He is safe at changes with an adult beside him, but the school cannot keep this up.",
            "The educational psychologist has observed him and advised full-time adult support while "
            "he is assessed.",
        ),
        when="started",
        outcomes=(
            ("Follows the visual timetable through the day with one adult prompt", "Key adult's daily log"),
            ("Stays in the classroom or a planned safe space all day", "Incident records"),
        ),
        lines=(
            ("Teaching assistant, full-time until the end of term", "Ashbrow staff", "150", 2100, 0),
            ("Visual supports and a workstation", "Supplier", "1", 18500, 0),
        ),
        consent=(MEETING, 40),
    ),
    DemoRequest(
        K_ASHBROW,
        AB,
        T.GROUP,
        S.REVIEWED,
        "Nurture group for pupils finding school hard",
        "Pupils whose anxiety, and difficulty managing their feelings, stop them learning: frequent tears, "
        "refusing to join in and leaving the room.",
        SEMH,
        pupils=("AB/3/22", "AB/2/06"),
        approach=(
            "Boxall Profiles for each pupil; Strengths and Difficulties Questionnaires with parents.",
            "A nurture group four afternoons a week, run on the six principles of nurture.",
            "A lunchtime club run by the learning mentor for a term.",
            "The club helped at lunchtimes but not in lessons; Boxall scores for organising experience are "
            "still low.",
            "The Early Support worker recommended a part-time nurture group with trained staff.",
        ),
        when="started",
        outcomes=(
            (
                "Each pupil's Boxall Profile developmental strands improve",
                "Boxall Profile at the start, middle and end",
            ),
            ("Each pupil leaves the classroom less often", "Behaviour logs, term against term"),
        ),
        lines=(
            (
                "Nurture group teaching assistant, four afternoons a week",
                "Ashbrow staff",
                "96",
                2100,
                0,
            ),
            ("Nurture group training for two staff", "nurtureuk", "2", 29500, 0),
            ("Breakfast and resources for the group", "Ashbrow School", "1", 15000, 0),
        ),
        consent=(SIGNED, 75),
    ),
    DemoRequest(
        K_ASHBROW,
        AB,
        T.INDIVIDUAL,
        S.CLOSED,
        "Seating and fine-motor support for a Year 4 pupil with hypermobility",
        "A Year 4 pupil with joint hypermobility who tires quickly when writing, slumps in her chair and has "
        "pain in her hands after handwriting.",
        S_P,
        pupils=("AB/5/03",),
        approach=(
            "A physiotherapy letter; a handwriting speed check; the school's occupational therapy checklist.",
            "Movement breaks, a writing slope and shorter written tasks.",
            "In place for a term.",
            "Less pain, but her handwriting is still slow and she cannot sit comfortably on a standard "
            "chair.",
            "NHS occupational therapy recommended a wedge cushion, an adjustable chair and a daily "
            "fine-motor programme.",
        ),
        when="ended",
        outcomes=(
            ("Writes for 15 minutes without pain", "Her own pain rating and her teacher's observation"),
            ("Sits comfortably through a whole lesson", "Teaching assistant's observation"),
        ),
        lines=(
            ("Adjustable chair and wedge cushion", "Supplier", "1", 32500, 0),
            ("Fine-motor programme with a teaching assistant", "Ashbrow staff", "24", 2100, 0),
        ),
        consent=(SIGNED, 85),
    ),
    DemoRequest(
        K_ST_THOMAS,
        ST,
        T.ADVICE_ONLY,
        S.WITHDRAWN,
        "Advice on lunchtime support for a Year 4 pupil",
        "A Year 4 pupil who struggles with the noise and unstructured time at lunch, which often ends in "
        "arguments with other children.",
        SEMH,
        (C_I,),
        approach=(
            "Lunchtime incident records; what the pupil says about lunchtimes.",
            "A quieter place to eat and a structured activity afterwards.",
            "Tried for three weeks.",
            "Incidents have fallen but still happen once a week.",
            "",
        ),
        withdrawn_reason="Solved in school: the lunchtime club with a midday supervisor has worked, with no "
        "incidents for four weeks.",
    ),
    DemoRequest(
        K_FIXBY,
        K_SEND_TEAM,
        T.ADVICE_ONLY,
        S.SUBMITTED,
        "Advice on toileting and self-care for a Year 2 pupil",
        "Received on the school's paper form. A Year 2 pupil who is not yet toilet trained and needs an "
        "adult to help him dress. Staff would like advice on a plan that keeps his dignity, and on what "
        "the school should provide itself.",
        S_P,
        approach=(
            "Conversations with his parents; the school nurse's involvement; a record of accidents.",
            "An intimate care plan and a changing area.",
            "The intimate care plan has been in place since September.",
            "Accidents are still daily and the family feel nothing has changed.",
            "The school nurse and health visitor have given continence advice.",
        ),
    ),
    DemoRequest(
        K_BIRKBY,
        BJ,
        T.PROJECT,
        S.IN_DELIVERY,
        "ELSA training for teaching assistants in five schools",
        "More pupils across the cluster need emotional literacy support than our learning mentors can see. "
        "Training an Emotional Literacy Support Assistant (ELSA) in each school gives it someone who can run "
        "planned, time-limited sessions, supervised by an educational psychologist.",
        SEMH,
        benefit=(60, (K_BIRKBY, 107601, 138584, 145236, K_ASHBROW)),
        approach=(
            "Each school's count of pupils waiting for emotional support: 48 in total this term.",
            "Train one ELSA in each of five schools, with half-termly group supervision.",
            "The schools have protected one afternoon a week for the ELSA role.",
            "Waiting lists are growing, and none of the five schools has a trained ELSA.",
            "Kirklees Educational Psychology Service runs the ELSA course and offers supervision.",
        ),
        when="started",
        outcomes=(
            ("Five trained ELSAs working in their schools", "Course completion"),
            (
                "Pupils seen by an ELSA show better emotional literacy",
                "Emotional literacy checklists before and after each block of sessions",
            ),
        ),
        lines=(
            (
                "ELSA course, six days, per teaching assistant",
                "Kirklees Educational Psychology Service",
                "5",
                45000,
                0,
            ),
            (
                "Half-termly group supervision, per teaching assistant",
                "Kirklees Educational Psychology Service",
                "25",
                4000,
                1,
            ),
            ("ELSA resource packs", "Supplier", "5", 8500, 0),
        ),
        route=(*_TRIAGED, S.PART_APPROVED, S.IN_DELIVERY),
    ),
    DemoRequest(
        K_BIRKBY,
        BJ,
        T.CONTINGENCY,
        S.IN_TRIAGE,
        "Emergency support for a Year 6 pupil at risk of exclusion",
        "A Year 6 pupil whose behaviour changed suddenly after a family crisis. In three weeks he has been "
        "suspended twice for aggression, and he is at risk of permanent exclusion.",
        SEMH,
        pupils=("BJ-0419",),
        approach=(
            "Incident records; a meeting with his parent and the Early Support worker; his own views.",
            "A reduced timetable for two weeks, a key adult and a daily check-in and check-out.",
            "In place for three weeks with the learning mentor.",
            "Incidents fall when his key adult is with him and rise sharply when she is not.",
            "Early Support have opened an early help assessment for the family.",
        ),
        when="soon",
        outcomes=(
            ("No further suspensions this term", "Suspension records"),
            ("Back on a full timetable within six weeks", "Attendance record"),
        ),
        lines=(
            ("Key adult teaching assistant until the end of term", "Birkby Junior staff", "90", 2100, 0),
            ("Drawing and Talking sessions", "Early Support practitioner", "8", 4500, 0),
        ),
        consent=(PHONE, 6),
    ),
    DemoRequest(
        K_ASHBROW,
        AB,
        T.PROJECT,
        S.DRAFT,
        "Workshops for parents on autism and sensory needs",
        "Parents of children on the autism pathway in our schools tell us they wait more than a year for an "
        "assessment with little help in the meantime. A short series of evening workshops, run with the "
        "autism outreach team, would share strategies that work at home and at school.",
        C_I,
        benefit=(40, (K_ASHBROW, K_ST_THOMAS, K_BIRKBY, 148659)),
    ),
)

# Stoke-on-Trent Central cluster
S_ABBEY_HULTON, S_ETRUSCAN, S_SMALLTHORNE = 146487, 146464, 142207
AH = "senco.abbeyhulton@stoke.example"
ETR = "senco.etruscan@stoke.example"
S_SEND_TEAM = "send.admin@stoke.example"

STOKE_REQUESTS = (
    DemoRequest(
        S_ETRUSCAN,
        ETR,
        T.INDIVIDUAL,
        S.DRAFT,
        "Low-vision equipment for a Year 3 pupil",
        "A Year 3 pupil with nystagmus who cannot read standard print at a normal distance or see the board. "
        "He is tired by the afternoon and avoids reading.",
        S_P,
        pupils=("ETR-118",),
        approach=(
            "A functional vision assessment by the qualified teacher of the visually impaired; his reading "
            "speed with enlarged print.",
            "Enlarged print, a seat at the front and a copy of board work on his desk.",
            "In place since September.",
            "He reads more with enlarged print but needs to see the board himself and read the books his "
            "class uses.",
            "The qualified teacher of the visually impaired recommends a portable video magnifier and "
            "touch-typing.",
        ),
    ),
    DemoRequest(
        S_ABBEY_HULTON,
        AH,
        T.GROUP,
        S.SUBMITTED,
        "Talk Boost language group for Year 1",
        "Two Year 1 pupils with delayed language: short sentences, few words and difficulty following "
        "instructions of more than one step. Both are behind in early reading because of it.",
        C_I,
        pupils=("AH-Y1-15", "AH-Y1-22"),
        approach=(
            "WellComm screening in September: both in the red band for their age.",
            "WellComm activities twice a week and visual supports in class.",
            "Six weeks of WellComm activities with a teaching assistant.",
            "Attention and listening are better; vocabulary and sentence length have barely changed.",
            "Both are on the NHS speech and language therapy waiting list.",
        ),
        outcomes=(
            (
                "Both pupils move up at least one WellComm band",
                "WellComm re-screen at the end of the programme",
            ),
            ("Each pupil follows two-step instructions in class", "Class teacher's checklist"),
        ),
        lines=(
            (
                "Talk Boost programme and training for one teaching assistant",
                "Speech and Language UK",
                "1",
                45000,
                1,
            ),
            (
                "Teaching assistant to run the group, three sessions a week for 10 weeks",
                "Abbey Hulton staff",
                "15",
                2000,
                1,
            ),
            ("Speech and language therapist consultation visits", "Independent therapist", "3", 7500, 1),
        ),
        consent=(SIGNED, 21),
        change=(
            S.SUBMITTED,
            "advice_received",
            "Both are on the NHS speech and language therapy waiting list. The service has since written to "
            "say the wait is now about 40 weeks.",
        ),
    ),
    DemoRequest(
        S_ETRUSCAN,
        ETR,
        T.PROJECT,
        S.IN_TRIAGE,
        "Zones of Regulation training and resources for the cluster",
        "Schools across the Central cluster report more pupils who cannot name or manage their feelings, "
        "leading to dysregulated behaviour and lost learning. One approach, taught the same way in every "
        "school, would help pupils who move between schools and make the team's advice easier to follow.",
        SEMH,
        benefit=(300, (S_ETRUSCAN, S_ABBEY_HULTON, 146459, 148121, S_SMALLTHORNE, 146465, 139846)),
        approach=(
            "A survey of the cluster's SENCOs in September: 7 of 9 primary schools named emotional "
            "regulation as their biggest unmet need.",
            "Whole-school training and a shared set of visuals.",
            "Two schools use the Zones of Regulation informally after staff took an online course.",
            "Staff in those schools report fewer incidents, but approaches differ and parents find them "
            "confusing.",
            "Stoke-on-Trent Educational Psychology supports the plan and would lead the training.",
        ),
        outcomes=(
            (
                "Every school in the project teaches the Zones of Regulation to pupils on its SEN register",
                "Lesson plans, and a learning walk by the team",
            ),
            (
                "Recorded incidents of dysregulated behaviour fall by a quarter",
                "Each school's incident log, autumn against summer",
            ),
        ),
        lines=(
            (
                "Twilight training for staff from seven schools",
                "Stoke-on-Trent Educational Psychology",
                "4",
                48000,
                1,
            ),
            ("Zones of Regulation books and visuals, per school", "Supplier", "7", 12500, 1),
            ("Follow-up coaching visits", "Stoke-on-Trent Educational Psychology", "7", 19000, 2),
        ),
    ),
    DemoRequest(
        S_ETRUSCAN,
        ETR,
        T.CONTINGENCY,
        S.APPROVED,
        "Emergency support for a Year 5 pupil after a managed move",
        "A Year 5 pupil who joined us three weeks ago on a managed move after repeated suspensions at his "
        "previous school. He has no support plan yet and needs a key adult for the move to work.",
        SEMH,
        pupils=("ETR-240",),
        approach=(
            "Records from his previous school; a reintegration meeting with his family; a Boxall Profile.",
            "A key adult, a daily check-in and check-out, and a personal timetable.",
            "Covered by our learning mentor for three weeks.",
            "No incidents when his key adult is with him; two serious incidents when she was not.",
            "The Central locality lead came to the managed-move meeting and advised a contingency request.",
        ),
        when="soon",
        outcomes=(
            ("The managed move is made permanent at the 12-week review", "Managed-move review meeting"),
            ("No suspensions while the support runs", "Suspension records"),
        ),
        lines=(
            ("Key adult teaching assistant, 15 hours a week for 8 weeks", "Etruscan staff", "120", 2000, 0),
            ("Educational psychologist consultation", "Stoke-on-Trent Educational Psychology", "3", 9500, 0),
        ),
        consent=(SIGNED, 9),
    ),
    DemoRequest(
        S_ABBEY_HULTON,
        AH,
        T.INDIVIDUAL,
        S.READY_FOR_MEETING,
        "Play therapy for a Year 4 pupil",
        "A Year 4 pupil who has lived through significant trauma and now lives with a special guardian. "
        "She has frequent, intense outbursts, struggles to make friends and finds it hard to talk about "
        "feelings.",
        SEMH,
        (C_I,),
        pupils=("AH-Y4-07",),
        approach=(
            "A Boxall Profile; Strengths and Difficulties Questionnaires with her guardian and class "
            "teacher; a review with her social worker.",
            "Emotion coaching by all staff, a safe space and a daily check-in with a trusted adult.",
            "Daily check-ins for two terms and six sessions with the learning mentor.",
            "Fewer outbursts in class, but still one or two a week, often after family contact.",
            "The virtual school advised a therapeutic intervention; she is on the CAMHS waiting list.",
        ),
        outcomes=(
            ("Outbursts fall to fewer than one a fortnight", "Behaviour log"),
            ("Names and talks about her feelings with her key adult", "Key adult's weekly notes"),
        ),
        lines=(
            ("Play therapy sessions", "Registered play therapist", "12", 6000, 1),
            ("Assessment, review and sessions with her guardian", "Registered play therapist", "3", 6000, 1),
        ),
        consent=(MEETING, 35),
    ),
    DemoRequest(
        S_ABBEY_HULTON,
        AH,
        T.GROUP,
        S.APPROVED,
        "Transition group for Year 6 pupils moving to secondary school",
        "Year 6 pupils with SEND who are worried about moving to secondary school and need more than the "
        "usual transition days: extra visits, time with the new school's staff and a transition passport.",
        SEMH,
        (C_L,),
        pupils=("AH-Y6-02",),
        joint=(S_ETRUSCAN, "Our Year 6 pupil joins the group and the visits", ("ETR-233",), (SIGNED, 31)),
        approach=(
            "Questionnaires about moving school; parents' views; the secondary school's usual transition "
            "offer.",
            "Transition passports and a social story about the new school.",
            "Photo books and a short visit in the autumn term.",
            "Both pupils are still very anxious; one says he will not go.",
            "The Inclusion Support Service suggested a joint group, so pupils going to the same secondary "
            "school can go together.",
        ),
        outcomes=(
            ("Both pupils attend all of the secondary school's induction days", "Induction registers"),
            (
                "Each pupil rates their worry about moving school lower",
                "Rating scale before and after the group",
            ),
        ),
        lines=(
            ("Transition group, eight weekly sessions", "Inclusion Support Service", "8", 5500, 1),
            ("Teaching assistant time for extra visits", "Abbey Hulton and Etruscan staff", "16", 2000, 2),
            ("Transport for the visits", "Local taxi firm", "4", 3500, 2),
        ),
        consent=(SIGNED, 28),
    ),
    DemoRequest(
        S_ETRUSCAN,
        ETR,
        T.INDIVIDUAL,
        S.PART_APPROVED,
        "Occupational therapy and equipment for a Year 2 pupil",
        "A Year 2 pupil with suspected developmental coordination disorder who falls often, cannot yet dress "
        "himself after PE and whose handwriting is hard to read.",
        S_P,
        pupils=("ETR-145",),
        approach=(
            "The school's occupational therapy screening checklist; a movement checklist by his teacher.",
            "A daily motor skills programme, a writing slope and extra time to change.",
            "The motor skills programme in a small group three times a week for a term.",
            "His balance and confidence in PE are better; handwriting and dressing have not improved.",
            "",
        ),
        outcomes=(
            ("Dresses himself after PE within 10 minutes", "Teaching assistant's record"),
            ("Forms letters so that others can read his writing", "Handwriting samples each half term"),
        ),
        lines=(
            (
                "Occupational therapy assessment and report",
                "Independent occupational therapist",
                "1",
                45000,
                0,
            ),
            ("Occupational therapy sessions in school", "Independent occupational therapist", "6", 6500, 1),
            ("Writing slope, pencil grips and a wobble cushion", "Supplier", "1", 6500, 0),
        ),
        consent=(EMAIL, 45),
        route=(S.IN_TRIAGE, S.MORE_INFORMATION_NEEDED, S.SUBMITTED, *_TRIAGED, S.PART_APPROVED),
        change=(
            S.MORE_INFORMATION_NEEDED,
            "advice_received",
            "NHS children's occupational therapy has confirmed he is on its waiting list (about nine months) "
            "and sent a programme for home and school.",
        ),
    ),
    DemoRequest(
        S_ABBEY_HULTON,
        AH,
        T.PROJECT,
        S.DECLINED,
        "Forest school sessions for pupils on the SEN register",
        "Pupils on the SEN registers of three schools would benefit from weekly outdoor learning to build "
        "confidence, communication and regulation.",
        SEMH,
        benefit=(45, (S_ABBEY_HULTON, 139846, 138550)),
        approach=(
            "Pupil wellbeing surveys in the three schools.",
            "Outdoor learning in each school's grounds.",
            "A six-week pilot at Abbey Hulton in the summer term.",
            "Pupils enjoyed it and staff saw better engagement afterwards, but the schools cannot pay for a "
            "qualified forest school leader.",
            "",
        ),
        outcomes=(("Pupils' wellbeing scores rise", "Wellbeing scale at the start and end"),),
        lines=(
            (
                "Qualified forest school leader, weekly sessions in three schools",
                "Forest school provider",
                "30",
                16000,
                1,
            ),
            ("Waterproofs and wellies", "Supplier", "45", 1500, 1),
        ),
    ),
    DemoRequest(
        S_ETRUSCAN,
        ETR,
        T.GROUP,
        S.DEFERRED,
        "Precision teaching and a reading group for Year 4",
        "Two Year 4 pupils reading well below the level of their class, one with a family history of "
        "dyslexia.",
        C_L,
        pupils=("ETR-162", "ETR-171"),
        approach=(
            "Phonics assessment; a standardised reading test; a dyslexia screener for one pupil (moderate "
            "indicators).",
            "Daily phonics catch-up and a reading buddy.",
            "A term of phonics catch-up with a teaching assistant.",
            "Both now know their phonics to phase 5 but read slowly and understand little of what they read.",
            "",
        ),
        outcomes=(
            ("Each pupil's reading age rises by six months", "Standardised reading test"),
            ("Each reads at least 8 in 10 of the taught words fluently", "Precision teaching checks"),
        ),
        lines=(
            ("Specialist teacher assessment for both pupils", "Inclusion Support Service", "6", 5500, 1),
            ("Precision teaching and reading group, daily for 12 weeks", "Etruscan staff", "30", 2000, 1),
        ),
        consent=(SIGNED, 33),
    ),
    DemoRequest(
        S_ABBEY_HULTON,
        AH,
        T.ADVICE_ONLY,
        S.RESOLVED_WITH_ADVICE,
        "Advice on a Year 6 pupil waiting for an EHC needs assessment",
        "A Year 6 pupil with moderate learning difficulties whose EHC needs assessment is under way. We "
        "would like advice on planning for secondary school while the assessment continues, and on whether "
        "anything else should be in place now.",
        C_L,
        pupils=("AH-Y6-02",),
        approach=(
            "Standardised tests put her attainment around Year 2; an educational psychologist's report for "
            "the EHC needs assessment.",
            "A personal curriculum in English and maths, with pre-teaching.",
            "Since Year 4.",
            "Steady small-step progress, but she is very aware of the gap with her classmates and her "
            "confidence is falling.",
            "The educational psychologist's advice for the EHC needs assessment.",
        ),
        route=(*_TRIAGED, S.RESOLVED_WITH_ADVICE),
    ),
    DemoRequest(
        S_ETRUSCAN,
        ETR,
        T.INDIVIDUAL,
        S.REDIRECTED,
        "Full-time one-to-one support for an autistic Year 5 pupil",
        "An autistic Year 5 pupil with an EHC plan whose needs have grown: he is distressed for much of the "
        "day, and the support in his plan is no longer enough.",
        C_I,
        (SEMH,),
        pupils=("ETR-204",),
        approach=(
            "Logs of distress; a sensory profile; his own and his parents' views.",
            "The provision in his EHC plan: 20 hours of support, a workstation and a sensory diet.",
            "In place since Year 3.",
            "Distress has doubled this term and he spends his afternoons in a separate room.",
            "The autism outreach team visited this term.",
        ),
        outcomes=(
            ("Spends most of each afternoon in class with support", "His timetable and attendance log"),
        ),
        lines=(
            ("Extra teaching assistant time to make his support full-time", "Etruscan staff", "130", 2000, 0),
        ),
        consent=(MEETING, 15),
    ),
    DemoRequest(
        S_ABBEY_HULTON,
        AH,
        T.CONTINGENCY,
        S.IN_DELIVERY,
        "Emergency support for a newly arrived Year 2 pupil with significant needs",
        "A Year 2 pupil who arrived in the country last month with significant developmental delay. His "
        "family say he has no words yet in his home language; he is not toilet trained and needs constant "
        "supervision to stay safe.",
        C_I,
        (S_P,),
        pupils=("AH-Y2-30",),
        approach=(
            "Observation; a home visit with an interpreter; referrals to the health visitor and school "
            "nurse.",
            "A key adult, a visual timetable, Makaton signs and an intimate care plan.",
            "Covered from the school's own staffing for three weeks.",
            "He is starting to follow routines with his key adult beside him, but the school cannot keep up "
            "the staffing.",
            "The educational psychologist has observed him and advised that his needs go well beyond "
            "learning English as an additional language.",
        ),
        when="started",
        outcomes=(
            ("Follows the class routine with one adult prompt", "Key adult's daily log"),
            ("Uses ten signs or words to make his needs known", "Communication log"),
        ),
        lines=(
            (
                "Key adult teaching assistant, full-time until the end of term",
                "Abbey Hulton staff",
                "140",
                2000,
                0,
            ),
            ("Makaton training for his key adult and class teacher", "Makaton tutor", "2", 9000, 0),
            ("Interpreter for meetings with his family", "Interpreting service", "4", 4500, 0),
        ),
        consent=(MEETING, 50),
    ),
    DemoRequest(
        S_ETRUSCAN,
        ETR,
        T.GROUP,
        S.REVIEWED,
        "Morning sensory circuits for pupils who arrive dysregulated",
        "Pupils who arrive at school seeking or avoiding sensory input and take most of the morning to "
        "settle to learning.",
        S_P,
        (SEMH,),
        pupils=("ETR-152", "ETR-145"),
        approach=(
            "Sensory checklists completed by staff and parents; a record of how long each pupil takes to "
            "settle.",
            "A morning sensory circuit (alerting, organising, calming) and timetabled movement breaks.",
            "Ran in the hall for four weeks when staff were free.",
            "On circuit days both pupils settled within 15 minutes; on other days it took over an hour.",
            "NHS occupational therapy gave sensory strategies for one of the pupils.",
        ),
        when="started",
        outcomes=(
            ("Both pupils settle to learning within 15 minutes of arriving", "Daily settling record"),
            ("Fewer movement breaks needed during lessons", "Teaching assistant's log"),
        ),
        lines=(
            (
                "Sensory circuit equipment: balance boards, trampette, tunnel, weighted items",
                "Supplier",
                "1",
                68000,
                0,
            ),
            ("Teaching assistant to run the circuit, 20 minutes a day", "Etruscan staff", "25", 2000, 0),
        ),
        consent=(EMAIL, 60),
    ),
    DemoRequest(
        S_ABBEY_HULTON,
        AH,
        T.INDIVIDUAL,
        S.CLOSED,
        "Bereavement support for a Year 3 pupil",
        "A Year 3 pupil whose parent died in the summer holidays. She has become withdrawn and tearful and "
        "is not finishing her work.",
        SEMH,
        pupils=("AH-Y3-12",),
        approach=(
            "A Strengths and Difficulties Questionnaire; conversations with her family; her own views.",
            "A key adult and a memory box.",
            "Weekly sessions with the learning mentor for six weeks.",
            "She talks more with her key adult but is still very withdrawn in class.",
            "The family were referred to a children's bereavement charity, which has a long wait.",
        ),
        when="ended",
        outcomes=(
            ("Finishes her work in class on most days", "Class teacher's record"),
            ("Can talk about her parent with her key adult", "The counsellor's end-of-sessions report"),
        ),
        lines=(
            ("Bereavement counselling sessions in school", "Children's bereavement counsellor", "8", 5000, 0),
            ("Learning mentor time for a weekly check-in", "Abbey Hulton staff", "10", 2000, 0),
        ),
        consent=(SIGNED, 85),
    ),
    DemoRequest(
        S_ETRUSCAN,
        ETR,
        T.ADVICE_ONLY,
        S.WITHDRAWN,
        "Advice on a Year 1 pupil's attention and listening",
        "A Year 1 pupil who finds it very hard to sit and attend for more than a few minutes, calls out and "
        "often leaves his seat.",
        C_I,
        approach=(
            "Observation in three lessons; a conversation with his parents.",
            "Movement breaks, a now-and-next board and a wobble cushion.",
            "Four weeks.",
            "Some improvement; we would like ideas for what else to try.",
            "",
        ),
        withdrawn_reason="The family has moved out of the area and the pupil has left the school.",
    ),
    DemoRequest(
        S_SMALLTHORNE,
        S_SEND_TEAM,
        T.ADVICE_ONLY,
        S.SUBMITTED,
        "Advice on a Year 5 pupil with emerging literacy difficulties",
        "Keyed in from the school's paper form. A Year 5 pupil whose reading and spelling are well behind "
        "his good spoken language. The school asks whether a dyslexia assessment is the right next step and "
        "what to try first.",
        C_L,
        approach=(
            "Reading and spelling tests; a teacher checklist.",
            "Phonics catch-up and coloured overlays.",
            "For a term.",
            "Little change in his spelling; reading is a little more fluent.",
            "",
        ),
    ),
    DemoRequest(
        S_ABBEY_HULTON,
        AH,
        T.PROJECT,
        S.IN_DELIVERY,
        "A shared loan bank of sensory and assistive equipment",
        "Schools often need equipment for a child quickly — ear defenders, weighted lap pads, writing "
        "slopes, a portable magnifier — and buy it for one child who then moves on. A loan bank held for the "
        "cluster, with simple booking, would get equipment to a child within a week.",
        S_P,
        benefit=(80, (S_ABBEY_HULTON, S_ETRUSCAN, 146459, 148121, S_SMALLTHORNE, 146465)),
        approach=(
            "An audit of the equipment the schools bought last year and how long children waited for it.",
            "One loan bank, held at Abbey Hulton, with equipment sent out by the schools' courier.",
            "Schools have lent each other equipment informally.",
            "Informal lending worked when SENCOs knew each other, but items were lost and waits were long.",
            "The Inclusion Support Service will advise on what to stock.",
        ),
        when="started",
        outcomes=(
            ("Equipment reaches a child within a week of being asked for", "The loan bank's booking log"),
            ("At least six schools borrow from the bank by the summer", "The loan bank's booking log"),
        ),
        lines=(
            ("Sensory and fine-motor equipment for the loan bank", "Suppliers", "1", 240000, 0),
            ("Portable video magnifier", "Supplier", "1", 95000, 0),
            ("Administrator time to run bookings and deliveries", "Abbey Hulton staff", "40", 1800, 1),
        ),
    ),
    DemoRequest(
        S_ABBEY_HULTON,
        AH,
        T.CONTINGENCY,
        S.MORE_INFORMATION_NEEDED,
        "Emergency support for a Year 6 pupil returning after surgery",
        "A Year 6 pupil coming back to school after spinal surgery, who will use a wheelchair for at least a "
        "term and needs help to move around the building, with personal care and in an evacuation.",
        S_P,
        pupils=("AH-Y6-18",),
        approach=(
            "Her hospital discharge letter; a meeting with her physiotherapist and family; a walk round the "
            "building.",
            "A personal emergency evacuation plan, a ground-floor classroom and a moving and handling plan.",
            "Work sent home during the six weeks she was in hospital.",
            "She is ready to come back, but the school has no trained adult free to support her all day.",
            "Her NHS physiotherapist will train staff in moving and handling.",
        ),
        when="soon",
        outcomes=(
            ("Attends full days from her first week back", "Attendance record"),
            ("Moves around school and takes part in lessons safely", "Risk assessment, reviewed weekly"),
        ),
        lines=(
            (
                "Teaching assistant support through the school day for six weeks",
                "Abbey Hulton staff",
                "180",
                2000,
                0,
            ),
            ("Moving and handling training for two staff", "Training provider", "2", 9500, 0),
        ),
        consent=(EMAIL, 4),
    ),
)


@dataclass(frozen=True)
class _Cast:
    """Who makes each move: the Team Around the Cluster member, the chair and the cluster admin, and each
    school's demo SENCO."""

    team: User
    chair: User
    cluster_admin: User
    staff: dict[int, User]  # school URN -> its demo account
    chair_schools: frozenset[int]


def _cast(accounts) -> _Cast:
    users = {user.email: user for user in User.objects.filter(email__in=[a.email for a in accounts])}

    def holder(role: str) -> User:
        return users[next(a.email for a in accounts if any(r == role for r, _ in a.roles))]

    staff = {
        int(scope): users[a.email] for a in accounts for role, scope in a.roles if role == "school_staff"
    }
    chair = holder("chair")
    return _Cast(
        team=holder("tac"),
        chair=chair,
        cluster_admin=holder("cluster_admin"),
        staff=staff,
        chair_schools=frozenset(urn for urn, user in staff.items() if user == chair),
    )


def load_requests(council, requests, accounts) -> list[FundingRequest]:
    """Write each demo request the council does not have yet, and move it to where it belongs."""
    cast = _cast(accounts)
    schools = {school.urn: school for school in School.objects.filter(council=council)}
    authors = {user.email: user for user in User.objects.filter(email__in={r.author for r in requests})}
    added = []
    for spec in requests:
        school = schools[spec.school]
        if FundingRequest.objects.filter(lead_school=school, title=spec.title).exists():
            continue
        added.append(_write(spec, school, schools, authors[spec.author], cast))
    return added


def _pupils(school, references) -> list[Pupil]:
    found = {
        pupil.reference: pupil for pupil in Pupil.objects.filter(school=school, reference__in=references)
    }
    return [found[reference] for reference in references]


def _dates(year, when: str) -> tuple[datetime.date, datetime.date]:
    """When support runs: inside the academic year, and before or after today as `when` says."""
    today = datetime.date.today()
    anchor = min(max(today, year.starts_on + 42 * DAY), year.ends_on - 100 * DAY)
    if when == "ended":
        return max(year.starts_on, anchor - 77 * DAY), anchor - 7 * DAY
    if when == "started":
        return anchor - 35 * DAY, anchor + 63 * DAY
    if when == "soon":
        return anchor + 7 * DAY, anchor + 70 * DAY
    return anchor + 21 * DAY, min(anchor + 119 * DAY, year.ends_on)


def _term(year, start: datetime.date, end: datetime.date, later: int):
    """The term `later` terms after the one the support starts in, but never after the one it ends in."""
    terms = list(year.terms.prefetch_related("half_terms"))

    def index_of(day):
        return next(
            (i for i, term in enumerate(terms) if day <= max(half.ends_on for half in term.half_terms.all())),
            len(terms) - 1,
        )

    last = max(
        (i for i, term in enumerate(terms) if min(half.starts_on for half in term.half_terms.all()) <= end),
        default=0,
    )
    return terms[min(index_of(start) + later, last)]


def _write(spec: DemoRequest, school, schools, author, cast: _Cast) -> FundingRequest:
    """Start the request as its author, write each part the spec has, then submit it and move it on."""
    fr = services.start_request(
        school=school, request_type=spec.request_type, title=spec.title, acting_user=author
    )
    services.change_about_the_need(
        funding_request=fr,
        title=spec.title,
        need=spec.need,
        primary_area=spec.area,
        other_areas=list(spec.other_areas),
        acting_user=author,
    )
    if spec.pupils:
        services.choose_pupils(funding_request=fr, pupils=_pupils(school, spec.pupils), acting_user=author)
    if spec.joint:
        urn, part, references, (method, days_ago) = spec.joint
        invitation = services.invite_school(funding_request=fr, school=schools[urn], acting_user=author)
        services.answer_invitation(
            joint_school=invitation,
            confirm=True,
            part=part,
            pupils=_pupils(schools[urn], references),
            consent_date=datetime.date.today() - days_ago * DAY,
            consent_method=method,
            acting_user=cast.staff[urn],
        )
    if spec.benefit:
        children, urns = spec.benefit
        services.change_who_benefits(
            funding_request=fr,
            children_benefiting=children,
            benefiting_schools=[schools[urn] for urn in urns],
            acting_user=author,
        )
    if spec.approach:
        services.change_graduated_approach(
            funding_request=fr, **dict(zip(APPROACH, spec.approach, strict=True)), acting_user=author
        )
    if spec.lines:
        start, end = _dates(fr.academic_year, spec.when)
        fr = services.change_dates(funding_request=fr, start_date=start, end_date=end, acting_user=author)
        for what, how_measured in spec.outcomes:
            services.add_outcome(
                funding_request=fr, what=what, by_when=end, how_measured=how_measured, acting_user=author
            )
        for what, provider, units, unit_cost_pence, later in spec.lines:
            services.add_provision_line(
                funding_request=fr,
                what=what,
                provider=provider,
                units=units,
                unit_cost_pence=unit_cost_pence,
                term=_term(fr.academic_year, start, end, later),
                acting_user=author,
            )
    if spec.consent:
        method, days_ago = spec.consent
        services.record_consent(
            funding_request=fr,
            consent_date=datetime.date.today() - days_ago * DAY,
            consent_method=method,
            acting_user=author,
        )
    if spec.status == S.DRAFT:
        return fr

    fr = services.submit_request(funding_request=fr, acting_user=author)
    if spec.change and spec.change[0] == S.SUBMITTED:
        _change(fr, spec.change, author)
    route = USUAL_ROUTE[spec.status] if spec.route is None else spec.route
    # Delivery and reviews are recorded by `demo_delivery` once the money has made the awards.
    route = tuple(target for target in route if target not in DELIVERY_MOVES)
    for number, target in enumerate(route):
        moved = triage_move(fr, target, team=cast.team, author=author)
        if moved is not None:
            fr = moved
        elif target == S.SUBMITTED:
            fr = services.submit_request(funding_request=fr, acting_user=author)
        else:
            fr = services.move_request(
                funding_request=fr, target=target, acting_user=_mover(fr, target, cast)
            )
        if spec.change and target == spec.change[0] and target not in route[:number]:
            _change(fr, spec.change, author)
    if spec.withdrawn_reason:
        fr = services.withdraw_request(funding_request=fr, reason=spec.withdrawn_reason, acting_user=author)
    fr.refresh_from_db()
    expected = route[-1] if spec.status in DELIVERY_MOVES else spec.status
    if fr.status != expected:
        raise ValueError(f"The demo request {spec.title!r} ended up {fr.status}, not {expected}.")
    return fr


def _mover(fr: FundingRequest, target: str, cast: _Cast) -> User:
    """The lead school moves its support on; the team triages; the meeting decides, recorded by the chair
    unless the chair's own school made the request."""
    if target in SCHOOL_MOVES:
        return cast.staff[fr.lead_school.urn]
    if fr.status in (S.SUBMITTED, S.IN_TRIAGE):
        return cast.team
    return cast.cluster_admin if fr.lead_school.urn in cast.chair_schools else cast.chair


def _change(fr: FundingRequest, change: tuple[str, str, str], author) -> None:
    """The school changes one part of a submitted request, which makes a new version."""
    _, field, text = change
    fr.refresh_from_db()
    if field == "need":
        services.change_about_the_need(
            funding_request=fr,
            title=fr.title,
            need=text,
            primary_area=fr.primary_area,
            other_areas=fr.other_areas,
            acting_user=author,
        )
        return
    approach = {name: getattr(fr, name) for name in APPROACH}
    services.change_graduated_approach(funding_request=fr, **{**approach, field: text}, acting_user=author)
