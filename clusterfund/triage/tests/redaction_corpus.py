"""Paragraphs of funding requests, written the way SENCOs write to their cluster, for testing and timing the
blind-paper redaction.

Each paragraph marks the names that must be redacted as `{{kind:text}}` (kind is school, pupil, staff or
place; a pupil reference is a pupil), so that the same string gives the text as the school wrote it and the
text the meeting must read. `keep` lists the ordinary words that look like names and must survive. Where a
paragraph is still read wrongly it says so in `known_failure` and
`fails`, rather than being left out.

Schools are real: the demo clusters' schools (clusterfund/demo/data/demo_cluster_schools.csv) and the rest
of their councils from the GIAS extract (data/dfe/gias_extract_kirklees_stoke.csv). One made-up council,
`hill_top`, has schools named with ordinary words as the blind-papers brief lists them ("The Grove School",
"Park Hill", "Forest Academy", "Hill Top", "Brook", "Moor", "Green", "Beech"), next to real ones (Brambles,
Field Lane, Oak, Orchard, Hillside, Holy Spirit, Mount Pleasant, Spring Grove). People, pupils, references and
streets are invented; localities and postcodes are those of the real schools.
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from clusterfund.triage.redaction import TOKENS, KnownNames

ROOT = Path(__file__).resolve().parents[3]
DEMO_SCHOOLS = ROOT / "clusterfund" / "demo" / "data" / "demo_cluster_schools.csv"
GIAS_EXTRACT = ROOT / "data" / "dfe" / "gias_extract_kirklees_stoke.csv"

MARK = re.compile(r"\{\{(school|pupil|staff|place):(.*?)\}\}", re.DOTALL)
KIND_OF_MARK = {"school": "school", "pupil": "pupil", "staff": "staff", "place": "place"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@cache
def gias_schools(council: str | None = None) -> tuple[str, ...]:
    """The schools of a council (by its GIAS name), or of both councils in the extract."""
    return tuple(
        row["EstablishmentName"] for row in _rows(GIAS_EXTRACT) if council in (None, row["LA (name)"])
    )


@cache
def council_schools(council: str, scheme: str) -> tuple[str, ...]:
    """A council's schools as the app holds them: the demo cluster's names and the rest from GIAS."""
    demo = [row["gias_name"] or row["seed_name"] for row in _rows(DEMO_SCHOOLS) if row["scheme"] == scheme]
    return tuple(dict.fromkeys([*demo, *gias_schools(council)]))


# Schools named with ordinary words. The first eight are made up, after the brief; the rest are real.
ORDINARY_WORD_SCHOOLS = (
    "The Grove School",
    "Park Hill Primary School",
    "Forest Academy",
    "Hill Top Primary School",
    "Brook School",
    "Moor Academy",
    "Green Infant School",
    "Beech Primary School",
    "Brambles Primary Academy",
    "Field Lane Junior Infant and Nursery School",
    "Oak CofE Primary School",
    "Orchard Primary Academy",
    "Hillside Primary School",
    "Holy Spirit Catholic Primary School",
    "Mount Pleasant Primary School",
    "Spring Grove Junior Infant and Nursery School",
    "Christ Church CE Academy",
    "Birkby Junior School",
)


@cache
def contexts() -> dict[str, KnownNames]:
    """What the redaction knows for each submitting school in the corpus."""
    kirklees = council_schools("Kirklees", "kirklees_cluster_14")
    stoke = council_schools("Stoke-on-Trent", "stoke_central_pilot")
    return {
        "st_thomas": KnownNames(
            schools=kirklees,
            staff=("Claire Dyson", "Rebecca Holt", "Will Garside", "Sophie Kaur"),
            pupils=(
                "Amelia Brook",
                "Jayden Oldroyd",
                "Maya Sutcliffe",
                "Harriet Example",
                "Grace Ellison",
                "Hope Nwosu",
            ),
            pupil_references=("ST-24-017", "ST-23-042", "ST-25-003", "ST-22-088"),
            places=("Woodhouse Hill", "Fartown", "Huddersfield", "HD2 1RQ"),
        ),
        "birkby": KnownNames(
            schools=kirklees,
            staff=("Imran Hussain", "Bethany Crowther", "May Lister"),
            pupils=("Zain Akhtar", "Alfie Walsh", "Will Pearson", "Summer Haigh"),
            pupil_references=("BJ-0311", "BJ-0419", "BJ-0502"),
            places=("Blacker Road", "Birkby", "Huddersfield", "HD1 6HE"),
        ),
        "ashbrow": KnownNames(
            schools=kirklees,
            staff=("Martin Beaumont", "Nicola Hirst", "Joanne Sykes"),
            pupils=(
                "Lily Haigh",
                "Ellie Shaw",
                "Ruby Whitwam",
                "Yusuf Patel",
                "Callum Brierley",
                "Freya Marsden",
            ),
            pupil_references=("AB/7/12", "AB/4/08", "AB/4/19", "AB/3/22", "AB/2/06", "AB/5/03", "AB/7/31"),
            places=("Ashbrow Road", "Sheepridge", "Huddersfield", "HD2 1EX"),
        ),
        "forest_park": KnownNames(
            schools=stoke,
            staff=("Dawn Bagnall", "Rose Hancock", "Kieran Salt"),
            pupils=("Kai Boulton", "April Wardle", "Bill Mountford", "Destiny Platt"),
            pupil_references=("FP/2024/118", "FP/2023/067", "FP/2024/131"),
            places=("Lower Mayer Street", "Hanley", "Stoke-on-Trent", "ST1 5ED"),
        ),
        "hill_top": KnownNames(
            schools=ORDINARY_WORD_SCHOOLS,
            staff=("Hope Atkinson", "Daniel Wood"),
            pupils=("May Fielding", "Rose Brook", "Will Hardy", "Jack Green"),
            pupil_references=("HT-019", "HT-104"),
            places=("Hill Top Lane", "Lindley", "Huddersfield", "HD3 3FR"),
        ),
    }


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a request, with its planted names marked."""

    context: str
    marked: str
    keep: tuple[str, ...] = ()
    known_failure: str = ""  # why the redaction still reads it wrongly
    fails: str = (
        ""  # what it gets wrong: "missed" (a planted name stays) or "removed" (an ordinary word goes)
    )

    @property
    def names(self) -> KnownNames:
        return contexts()[self.context]

    @property
    def text(self) -> str:
        """The paragraph as the school wrote it."""
        return MARK.sub(lambda m: m.group(2), self.marked)

    @property
    def expected(self) -> str:
        """The paragraph as a blind meeting must read it."""
        return MARK.sub(lambda m: TOKENS[KIND_OF_MARK[m.group(1)]], self.marked)

    def planted(self) -> list[tuple[str, int, int]]:
        """Each planted name: its kind and where it is in `text`."""
        out, shift = [], 0
        for m in MARK.finditer(self.marked):
            start = m.start() - shift
            out.append((m.group(1), start, start + len(m.group(2))))
            shift += len(m.group(0)) - len(m.group(2))
        return out

    def kept_words(self) -> list[tuple[str, int, int]]:
        """Each ordinary word of `keep` where it stands in `text` outside the planted names."""
        planted = self.planted()
        out = []
        for word in self.keep:
            for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", self.text):
                if not any(start < m.end() and m.start() < end for _, start, end in planted):
                    out.append((word, m.start(), m.end()))
        return out


P = Paragraph
CORPUS: tuple[Paragraph, ...] = (
    # --- St Thomas CE Primary School, Kirklees cluster 14 -----------------------------------------------
    P(
        "st_thomas",
        "{{pupil:Amelia}} ({{pupil:ST-24-017}}) is in Year 3 at {{school:St Thomas CE Primary School}}. She "
        "received a diagnosis of autism in the spring and her anxiety about coming into school has grown "
        "since Christmas. Following the graduated approach we have completed a sensory profile, introduced "
        "a daily check-in with {{staff:Mrs Holt}} and a visual timetable, and reviewed these after six "
        "weeks. We are asking the cluster for ten weeks of ELSA sessions.",
        keep=("spring", "Christmas", "ELSA"),
    ),
    P(
        "st_thomas",
        "Following advice from the educational psychologist, {{staff:Claire Dyson}} (SENCO) set up "
        "precision teaching three times a week. {{pupil:Jayden Oldroyd}}'s reading age has moved from 6y2m "
        "to 6y9m, but the gap with his peers is still widening. {{pupil:Jaydon}} will be reassessed before "
        "May half term, and we would like funding for a further block of 1:1 support until then.",
        keep=("May", "will"),
    ),
    P(
        "st_thomas",
        "Parents of {{pupil:Maya\nSutcliffe}} have asked that her one-page profile is shared with "
        "{{school:All Saints}} before she moves up in September. {{pupil:Maya}} has an EHC plan for social, "
        "emotional and mental health needs; her annual review is due in the summer term and we would like "
        "the transition\nvisits to start after Easter. {{staff:Claire\nDyson}} will go with her on the "
        "first visit.",
        keep=("September", "summer", "Easter"),
    ),
    P(
        "st_thomas",
        "{{school:St Thomas}}' SENCO has met {{school:Birbky Juniors}}' SENCO to plan a joint nurture group "
        "for Years 5 and 6, and {{school:Christchurch}} would like to send two pupils. The group would meet "
        "in the {{school:St. Thomas}} library on Wednesday afternoons and be run by {{staff:Mrs Kaur}}.",
        keep=("Wednesday",),
    ),
    P(
        "st_thomas",
        "{{school:ST THOMAS CE PRIMARY SCHOOL}} - REQUEST FOR TOP-UP FUNDING\nPUPIL: {{pupil:HARRIET "
        "EXAMPLE}} ({{pupil:ST-25-003}}), YEAR 6\n{{pupil:Harriet}} has a diagnosis of dyslexia and a "
        "working memory well below average. For example, she can hold only three items of a list in mind. "
        "Her mother, {{pupil:Mrs Example}}, has paid for a private assessment, which we attach.",
        keep=("example", "REQUEST", "PUPIL"),
    ),
    P(
        "st_thomas",
        "{{pupil:Grace}} started in Reception in September. Her speech is hard to understand and she mostly "
        "uses single words. {{pupil:Grace}}'s mum says she is the same at home, and the health visitor has "
        "referred her to speech and language therapy, but the wait is eight months. We hope that a block of "
        "input from the cluster's speech and language therapist will give {{pupil:Grace}} the words she "
        "needs while she waits.",
        keep=("hope",),
    ),
    P(
        "st_thomas",
        "We have worked closely with {{pupil:Hope Nwosu}} and her family over the autumn term. "
        "{{pupil:Hope}} now attends four days out of five, and there is real hope that a part-time mentor "
        "will help her back to a full week. The family moved to a house on Hope Street in the summer, "
        "nearer to school, and our attendance officer and {{staff:Mrs Dyson}} meet her mother every "
        "fortnight.",
        keep=("hope", "autumn", "Hope Street"),
    ),
    P(
        "st_thomas",
        "{{staff:Will Garside}}, our HLTA, will lead the sessions. {{staff:Will}} completed the Talk Boost "
        "training last year and has run two groups with good results. Will the cluster consider funding a "
        "second group after Easter? If so, {{staff:Mr Garside}} will need cover for one afternoon a week.",
        keep=("will", "Will", "Easter"),
    ),
    P(
        "st_thomas",
        "Present at the review: {{staff:C. Dyson}} (SENCO), {{staff:R.H.}} (class teacher), mum, and the "
        "EP. Agreed actions: {{staff:CD}} to apply for cluster funding; {{staff:Ms K}} to run a lunchtime "
        "club; the EP to observe {{pupil:H.E.}} in class before the next meeting.",
        keep=("EP", "SENCO"),
    ),
    P(
        "st_thomas",
        "The family live on {{place:Woodhouse Hill}} and have no car. The clinic is in Halifax, two buses "
        "away, so {{pupil:Amelia}} has missed three appointments. We are asking for taxi fares from "
        "{{place:Fartown}} to the clinic and back, which the council's transport team has priced at £38 a "
        "trip. Please post any letters to the school at {{place:hd21rq}}.",
        keep=("Halifax",),
    ),
    P(
        "st_thomas",
        "Forest School on Tuesday afternoons is the one part of the week when {{pupil:Jayden}} stays "
        "regulated. He builds dens in the brambles, follows the path down to the park and talks about the "
        "old oak at the edge of the field. We would like to fund a second Forest School session and a "
        "Forest School leader's time to write his plan.",
        keep=("Forest School", "brambles", "park", "oak", "field"),
    ),
    P(
        "st_thomas",
        "{{pupil:Maya}} uses the Zones of Regulation and can now tell an adult when she is in the Red Zone. "
        "She moved from Oak class to Beech class in September and has stayed on Green on the behaviour "
        "chart most days. Her reading book band is Orange.",
        keep=("Red", "Oak", "Beech", "Green", "Orange"),
    ),
    P(
        "st_thomas",
        "Two children from {{school:Brambles}} join our nurture group on Thursdays, and "
        "{{school:Brambles}}' SENCO has agreed to share the cost of the room and resources. The brambles "
        "along the top of our school field have now been cut back, so the sensory garden can open to both "
        "schools.",
        keep=("brambles",),
    ),
    P(
        "st_thomas",
        "{{pupil:Amelia}}'s older brother attends {{school:Park Road}}, and the two SENCOs meet each half "
        "term. The family have just moved from a flat on Mill Lane in Batley to a house near the school, so "
        "the children will stay together.",
        keep=("Mill Lane", "Batley"),
    ),
    P(
        "st_thomas",
        "{{pupil:Harriet}} spent two days at {{school:Christ Church}} on a managed move last year. "
        "{{school:Christ Church}}'s SENCO found that short tasks with a timer worked well, and we have "
        "carried that on. In RE she enjoyed learning about the Holy Spirit and drew a lovely dove.",
        keep=("Holy Spirit", "dove"),
    ),
    P(
        "st_thomas",
        "Please send the invoice to {{school:St Thomas CE (VC)\nPrimary   School}}, for the attention of "
        "{{staff:Mrs   Dyson}}. The school's finance officer pays within 30 days.",
    ),
    P(
        "st_thomas",
        "{{pupil:Maya}} has visited {{school:North Huddersfield Trust School}} twice with {{staff:Mrs "
        "Holt}}. The Year 7 team at {{school:NHTS}} have offered a place in their nurture base for the "
        "first half term, and the cluster has asked {{school:All Saints Catholic College}} whether a "
        "similar offer is possible there.",
    ),
    P(
        "st_thomas",
        "Our nearest specialist provision, {{school:Castle Hill}}, has no places this year, so the local "
        "offer suggests outreach from {{school:Fairfield School}} instead. The outreach teacher visited on "
        "12 March and left a sensory diet and a set of now-and-next boards.",
        keep=("March",),
    ),
    P(
        "st_thomas",
        "notes from phone call with mum: {{pupil:harriet}} was upset after {{staff:mrs dyson}} was off "
        "sick. mum would like {{school:st thomas}} to let her know in advance when staff change. "
        "{{staff:claire}} to ring back on friday.",
    ),
    # --- Birkby Junior School, Kirklees cluster 14 --------------------------------------------------------
    P(
        "birkby",
        "{{pupil:Zain}} ({{pupil:BJ 0311}}) has a moderate hearing loss and wears two hearing aids. The "
        "Sensory Support Service visited {{school:Birkby Junior School}} in October and recommended a radio "
        "aid and soft furnishings to cut the echo in his classroom. {{staff:Mr. Hussain}} has set up "
        "pre-teaching of topic vocabulary, which {{pupil:Zain Akhtar}} says helps him follow lessons.",
        keep=("October",),
    ),
    P(
        "birkby",
        "This request comes from {{school:Birbky Junior School}} on behalf of the two {{school:Birkby "
        "schools}}. {{school:Birkby Infant and Nursery School}} will host the parent workshops, and "
        "{{school:birkby}}'s juniors will run the peer mentoring. Forms can go to {{school:BIRBKY JUNIORS}} "
        "or to the infants.",
    ),
    P(
        "birkby",
        "{{staff:May Lister}} joined us as Year 4 teacher in April. {{staff:May}} has run the phonics "
        "catch-up group since then, and by May half term most of the group had moved up a phase. We would "
        "like {{staff:Miss Lister}} to train two more teaching assistants in the programme.",
        keep=("April", "May"),
    ),
    P(
        "birkby",
        "{{pupil:Summer}} finds the end of the school day very hard and has left the building twice this "
        "term. In the Summer term we will trial a staggered finish with a key adult. {{pupil:Summer "
        "Haigh}}'s family have asked for Early Help, and we have made a referral.",
        keep=("Summer",),
    ),
    P(
        "birkby",
        "At home, {{pupil:Will}}'s mum says he will not go to sleep before midnight, and he arrives tired "
        "and dysregulated most mornings. The school nurse has referred {{pupil:Will Pearson}} to the sleep "
        "clinic. In the meantime we will offer a calm start at breakfast club with {{staff:Mrs Crowther}}.",
        keep=("will",),
    ),
    P(
        "birkby",
        "We have referred {{pupil:Alfie   Walsh}} ({{pupil:bj-0419}}) to the\nEP service. His class "
        "teacher, {{staff:Bethany\nCrowther}}, has kept ABC charts for six weeks, which show most incidents "
        "happen at unstructured times. {{staff:Mr Hussain}} and {{staff:Miss C}} will share the lunchtime "
        "supervision.",
        keep=("EP",),
    ),
    P(
        "birkby",
        "{{pupil:Zain}}'s younger sister is at {{school:Birkby Infants}} and his cousin is at "
        "{{school:Fixby}}, so the family know several SENCOs in the cluster. Mum has asked that all three "
        "schools use the same signs, and the Deaf CAMHS team in Leeds has offered a training session.",
        keep=("Leeds",),
    ),
    P(
        "birkby",
        "Transport: {{pupil:Alfie}} lives a short walk away on {{place:Blacker Rd}} in {{place:Birkby}}, "
        "but he will not walk with his older brother, so mum drives him to the specialist provision in "
        "Bradley twice a week. Fuel costs are included in the budget.",
        keep=("Bradley",),
    ),
    P(
        "birkby",
        "{{staff:Mr Hussian}} has also asked the cluster EP for advice about {{pupil:Zain}}'s self-esteem. "
        "{{staff:Imran}} will gather the pupil's views with a Talking Mat before the review.",
        keep=("EP",),
    ),
    # --- Ashbrow School, Kirklees cluster 14 ---------------------------------------------------------------
    P(
        "ashbrow",
        "{{staff:Martin Beaumont}}, headteacher of {{school:Ashbrow School}}, chairs the cluster this year, "
        "so this request has been checked by the vice-chair. {{pupil:Yusuf Patel}} ({{pupil:AB/3/22}}) is "
        "in Year 3 and has been at risk of exclusion since November. {{staff:Mr Beaumont}} and the SENCO, "
        "{{staff:Nicola Hirst}}, have met his parents four times.",
        keep=("November",),
    ),
    P(
        "ashbrow",
        "{{pupil:Lily}} ({{pupil:ab 7 12}}) and {{pupil:Ruby}} are both in the Year 2 phonics group. "
        "{{pupil:Lily Haigh}} loves the lily pond in the wildlife area and will talk about it for minutes "
        "at a time, so the precision teaching uses pictures of the pond. The ruby-red frogs were a hit.",
        keep=("lily", "ruby"),
    ),
    P(
        "ashbrow",
        "{{pupil:Ellie Shaw}}'s older sister is at {{school:Shaw Cross}}, and both girls have a diagnosis "
        "of dyspraxia. The occupational therapist has recommended a writing slope and pencil grips, which "
        "{{pupil:Ellie}} now uses, and a programme of gross motor work that {{staff:Mrs Sykes}} runs before "
        "school.",
    ),
    P(
        "ashbrow",
        "{{pupil:Freya Marsden}} uses a wheelchair and needs a hoist for personal care. The moving and "
        "handling adviser visited {{school:Ashbrow}} on 4 February. {{pupil:Freya}}'s cousin attends "
        "{{school:Marsden Junior School}}, where a similar hoist was bought through the cluster two years "
        "ago.",
        keep=("February",),
    ),
    P(
        "ashbrow",
        "{{pupil:Callum Brierley}} ({{pupil:AB/2/06}}) has been offered a place at {{school:Salendine Nook "
        "High}} for September, and the Year 6 teacher will go with him on three visits. Dr Nadia Rahman, "
        "the cluster's educational psychologist, will observe him in class before the transition review.",
        keep=("Nadia", "Rahman", "Dr"),
    ),
    P(
        "ashbrow",
        "The family moved from Dewsbury to {{place:Sheepridge}} in the summer, and {{pupil:Yusuf}} joined "
        "{{school:Ashbrow}} from {{school:St Paulinus}} with no records. We have since had his file from "
        "{{school:St. Paulinus Catholic Primary}}, which shows he saw a play therapist there. We would like "
        "the cluster to fund twelve sessions of play therapy.",
        keep=("Dewsbury", "summer"),
    ),
    P(
        "ashbrow",
        "NOTE FROM {{staff:MRS HIRST}}: {{pupil:RUBY WHITWAM}} AND {{pupil:CALLUM}} WILL BE OFF SITE ON "
        "FRIDAY FOR THE SWIMMING ASSESSMENT.",
        keep=("WILL", "FRIDAY"),
    ),
    # --- Forest Park Primary School, Stoke-on-Trent central cluster ------------------------------------
    P(
        "forest_park",
        "{{pupil:Kai Boulton}} ({{pupil:FP/2024/118}}) joined {{school:Forest Park Primary School}} in Year "
        "2 from {{school:Etruscan}}. He has global developmental delay and is waiting for an EHC needs "
        "assessment. {{staff:Mrs Bagnall}} has put in place a personalised timetable, and he spends part of "
        "each morning in the nurture room.",
    ),
    P(
        "forest_park",
        "On Friday afternoons the class walks to the forest park behind the estate for a sensory trail. "
        "{{pupil:Kai}} manages this with a familiar adult, and it is the only time he will write. The trail "
        "ends at the grove of silver birches by the pond.",
        keep=("forest park", "grove", "silver"),
    ),
    P(
        "forest_park",
        "In April the speech and language therapist set targets for {{pupil:April Wardle}}. "
        "{{pupil:April}}'s attention has improved, but she still cannot retell a simple story. We would "
        "like to fund a Level 3 TA for two afternoons a week until the end of April.",
        keep=("April",),
    ),
    P(
        "forest_park",
        "{{pupil:Bill Mountford}} needs a wobble cushion, ear defenders and a sloped board. The bill for "
        "the equipment is £184; the rest of the request is for twenty hours of {{staff:Mr Salt}}'s time to "
        "set up the sensory circuit. {{pupil:Bill}} already goes to a SALT group on Mondays.",
        keep=("bill", "SALT"),
    ),
    P(
        "forest_park",
        "{{staff:Rose Hancock}}, our SENDCo, has spoken to the family about the rose garden project at the "
        "community centre. {{staff:Rose}} thinks {{pupil:Destiny}} would do well there: she is calm "
        "outdoors and her attendance rose to 91% during the last project.",
        keep=("rose",),
    ),
    P(
        "forest_park",
        "Children from {{school:Co-op Academy Grove}}, {{school:Grove Academy}}'s nursery and "
        "{{school:Hamilton Academy}} will share the play therapist. The sessions will be held at "
        "{{school:Waterside}} because it has a quiet room, and staff at {{school:Star Academy}} have asked "
        "to join if places are left.",
    ),
    P(
        "forest_park",
        "We track progress on an Excel spreadsheet and share it with the family each half term. "
        "{{pupil:Kai}} earns merit stickers for reaching his targets, and his favourite reward is ten "
        "minutes with the kinetic sand. He was Star of the Week in March. We hope to reach the final target "
        "by July, and the sessions are designed to engage him through discovery and play.",
        keep=("Excel", "merit", "kinetic", "Star", "reach", "engage", "discovery", "March", "July"),
    ),
    P(
        "forest_park",
        "The family live on {{place:Lower Mayer St}} and the nearest bus stop for the hospital is in "
        "{{place:Hanley}}. Taxis from {{place:ST1 5ED}} to the Royal {{place:Stoke}} cost £14 each way, and "
        "the city council's SEND transport team have confirmed they cannot help. We are asking for the "
        "fares for six appointments across {{place:Stoke-on-Trent}}.",
    ),
    P(
        "forest_park",
        "Signed: {{staff:D. Bagnall}}, Headteacher, on behalf of {{staff:Dawn Bagnall}}'s SEN team. Contact "
        "{{staff:DB}} or {{staff:Mrs Hancock}} on the school office number.",
    ),
    P(
        "forest_park",
        "We have looked at what {{school:St Peter}}'s and {{school:Sandon Primary}} do for children with a "
        "similar profile. Both use Attention Autism and a Lego therapy group, and both SENCOs have offered "
        "to visit. The headteacher of {{school:Thistley Hough}} has offered a place on their Year 6 "
        "transition programme for {{pupil:Kai}}'s older brother.",
    ),
    # --- Hill Top Primary School, a made-up council of ordinary-word school names ----------------------
    P(
        "hill_top",
        "{{pupil:May Fielding}} ({{pupil:HT-019}}) is in Year 1 at {{school:Hill Top}}. In May we noticed "
        "that she was not joining in at playtimes, and by the end of the summer she had stopped speaking in "
        "class. The walk to the hill top behind the school is now the only time she talks to an adult. We "
        "may need specialist advice.",
        keep=("May", "hill top", "may"),
    ),
    P(
        "hill_top",
        "Children from {{school:The Grove School}}, {{school:Brambles}} and {{school:Moor Academy}} share "
        "our Thursday speech group. The grove behind our field is used for Forest School, and the children "
        "pick blackberries from the brambles on the edge of the moor.",
        keep=("grove", "Forest School", "brambles", "moor"),
    ),
    P(
        "hill_top",
        "{{pupil:Rose Brook}}'s family walk along the brook to school each morning. {{pupil:Rose}} loves "
        "the moor and the village green, and she is happiest in the Green zone. Her older brother is at "
        "{{school:Brook School}}.",
        keep=("brook", "moor", "green", "Green"),
    ),
    P(
        "hill_top",
        "At {{school:Green Infants}} they use green, amber and red cards, and so do we, so that "
        "{{pupil:Jack Green}} hears the same language in both schools. {{pupil:Jack}} moved to us from "
        "{{school:Beech Primary}} in Year 2. He was in Beech class there and is now in Oak class.",
        keep=("green", "Beech", "Oak"),
    ),
    P(
        "hill_top",
        "{{school:Park Hill}} and {{school:Forest Academy}} have both trialled the same reading programme. "
        "We walked over to {{school:Forest Academy}} to see it, past the park and the forest, and their "
        "SENCO showed us how it works in their Forest School sessions too.",
        keep=("park", "forest", "Forest School"),
    ),
    P(
        "hill_top",
        "{{staff:Mr Wood}} has led the nurture group since January. The group meets in the wood cabin, and "
        "{{staff:Daniel}} keeps a log of each child's Boxall profile. We hope {{staff:Hope Atkinson}} can "
        "take over when he is on paternity leave; {{staff:Hope}} has already done the training.",
        keep=("wood", "hope"),
    ),
    P(
        "hill_top",
        "{{pupil:Will Hardy}} will need a key adult at lunchtimes. {{pupil:Will}} is anxious in the hall "
        "and the playground, but he will go to the Holy Spirit church club with his grandad on Saturdays. "
        "{{school:Holy Spirit}}'s SENCO has kindly offered to share their lunchtime provision map.",
        keep=("will", "Holy Spirit"),
    ),
    P(
        "hill_top",
        "Staff from {{school:Orchard}}, {{school:Hillside}} and {{school:Mount Pleasant}} came to the "
        "cluster training on attachment. The orchard at {{school:Hillside Primary}} is used as a calm "
        "space, and everyone agreed it was a pleasant place to start the day, high on a hillside.",
        keep=("orchard", "pleasant", "hillside"),
    ),
    P(
        "hill_top",
        "{{pupil:Jack}}'s cousins attend {{school:Field Lane}} and {{school:Spring Grove}}. In spring we "
        "will run a joint parents' group at {{school:Field Lane Juniors}}, which is on the lane behind the "
        "playing field.",
        keep=("spring", "lane", "field"),
    ),
    # --- Written after the rules above, and run once as they stood -------------------------------------
    P(
        "st_thomas",
        "Update for the cluster: {{pupil:Amelia Brook}} has now been seen by the paediatrician at "
        "{{place:Huddersfield}} Royal Infirmary, who has started her on melatonin. The brook at the bottom "
        "of our field is now fenced off, which was one of the worries raised at the last review.",
        keep=("brook",),
    ),
    P(
        "st_thomas",
        "We are a one-form-entry school in {{place:Fartown}}; 31% of our pupils are on the SEN register and "
        "half of those are working with outside agencies. {{staff:Claire}}'s notes from the review are "
        "attached, and {{staff:Mrs Dyson}}'s provision map shows the hours each adult spends with "
        "{{pupil:Amelia}} during a week.",
    ),
    P(
        "st_thomas",
        "The plan was agreed with {{pupil:Hope}}'s mum at {{school:St Thomas}}'s in January. She asked "
        "whether the cluster could also help her younger son, who starts nursery at {{school:Ashbrow}} in "
        "April; we have passed this to the {{school:Ashbrow School}} SENCO.",
        keep=("January", "April"),
    ),
    P(
        "st_thomas",
        "phone notes 14/3: mum rang, {{pupil:jayden}} was sick again this morning. mum thinks the children "
        "from {{school:birbky}} who share his taxi are picking on him. spoke to {{staff:rebecca}}, she will "
        "check with the escort.",
        known_failure=(
            "A misspelt name written all in lower case is caught only beside a word of the same name that "
            "is right ('birbky juniors'); 'birbky' alone is not, so that lower-case words one letter away "
            "from a name are never taken for it."
        ),
        fails="missed",
    ),
    P(
        "birkby",
        "{{staff:Bethany}} and {{staff:May}} have both been on the Attention Autism course, and they run "
        "the group together in the library. The group has grown from four to seven children since "
        "{{staff:Bethany Crowther}} started it.",
    ),
    P(
        "birkby",
        "{{pupil:Zain}} ({{pupil:BJ-0311}}) - see also last year's request for {{pupil:bj0311}}, which paid "
        "for the radio aid. The radio aid is still working, but the microphone needs replacing, and the "
        "Sensory Support Service has quoted £310.",
    ),
    P(
        "ashbrow",
        "{{pupil:Yusuf}}'s mum speaks Urdu and a little English, so our EAL coordinator, {{staff:Joanne}}, "
        "translates at meetings. An interpreter from the council would cost £45 an hour, and we have asked "
        "for six hours across the year. {{staff:Ms Hirst}} will chair the meetings.",
    ),
    P(
        "forest_park",
        "Our SENDCo ({{staff:Mrs R. Hancock}}) has asked for this to go to the next meeting. "
        "{{school:Forest Park}}'s SEN team has used this programme before, with two children in Year 4, and "
        "both made accelerated progress in reading.",
    ),
    P(
        "forest_park",
        "{{pupil:Destiny Platt}} will move to {{school:Haywood Academy}} in September; {{school:Haywood}} "
        "have asked for her one-page profile and the sensory audit. Her older brother went to "
        "{{school:Ormiston Horizon}}, and the family hoped she would go there too. As a treat at the end of "
        "the programme the group visited Trentham Gardens.",
        keep=("Trentham",),
        known_failure=(
            "A place that is also a school's only distinctive word ('Trentham' of Trentham Academy) is "
            "always redacted: recall on distinctive names comes first."
        ),
        fails="removed",
    ),
    P(
        "hill_top",
        "The Grove is the wooded area behind our hall, where the nurture group plants bulbs each autumn. "
        "{{pupil:Rose}} and {{pupil:May}} planted the daffodils along the path, and {{staff:Mr Wood}} made "
        "a map of them.",
        keep=("The Grove", "autumn"),
    ),
    P(
        "hill_top",
        "{{pupil:Will Hardy}}'s sleep has not improved. Will mum be able to come to the review on Tuesday? "
        "We will ask her again, and {{staff:Hope}} will phone on Monday if we have not heard.",
        keep=("Will", "will"),
    ),
    P(
        "hill_top",
        "Staff at {{school:Oak}} and {{school:Orchard}} have asked to see our visual timetable. "
        "{{school:Oak}}'s SENCO came to watch a session on Tuesday and took photographs of the Oak class "
        "display.",
        keep=("Oak",),
    ),
    # --- A last batch, also written before it was run; what it got wrong is recorded, not tuned away ----
    P(
        "birkby",
        "Since September {{pupil:Alfie}} has had 14 fixed-term suspensions. The behaviour support team "
        "observed him on 3 and 10 November and advised a reduced timetable, which we do not want to use. "
        "{{staff:Imran Hussain}} has asked {{school:Lindley Junior School}}, where {{pupil:Alfie}} was "
        "before, for their records of what worked.",
        keep=("September", "November"),
    ),
    P(
        "ashbrow",
        "{{pupil:Ruby}}'s needs: low working memory, slow processing, and reading two years behind. "
        "{{pupil:Ruby Whitwam}} ({{pupil:AB/4/19}}) will also be assessed by the specialist teacher, Gareth "
        "Holroyd, in the spring. We would like to buy a set of decodable readers and the Toe by Toe "
        "programme.",
        keep=("Gareth", "Holroyd", "spring"),
    ),
    P(
        "forest_park",
        "{{pupil:Kai}} sees the hospital play specialist at the Royal {{place:Stoke}} every six weeks. We "
        "have asked {{staff:Dawn}} to write to the consultant about his toileting plan, and "
        "{{staff:Kieran}} is changing him at the moment, which takes an adult out of class twice a day.",
    ),
    P(
        "st_thomas",
        "{{pupil:Grace Ellison}} ({{pupil:ST-23-042}}) and {{pupil:Hope}} are friends and sit together in "
        "class. {{pupil:Grace}} is more settled when {{pupil:Hope}} is in school. Both girls will have "
        "places in the lunchtime club from next week, run by {{staff:Sophie}}.",
    ),
    P(
        "hill_top",
        "{{school:Brambles}} staff have offered to run a joint session on the Zones of Regulation. "
        "{{pupil:Jack}} already knows the zones: he tells us when he is in the blue zone or the Green one.",
        keep=("Green",),
        known_failure=(
            "A first name that is also a word ('Jack'), used once and at the start of a sentence, is kept: "
            "without the name elsewhere in the text nothing says it is not the word."
        ),
        fails="missed",
    ),
    P(
        "hill_top",
        "Parents at {{school:Park Hill}} and at {{school:The Grove}} are setting up a SEND parents' coffee "
        "morning. {{pupil:May}}'s mum is keen, and {{staff:Mrs Atkinson}} has offered the school hall on "
        "Friday mornings.",
    ),
    P(
        "hill_top",
        "Our address for invoices is {{place:Hill Top Lane}}, {{place:Lindley}}, {{place:Huddersfield HD3 "
        "3FR}}. Please mark them for the attention of {{staff:Mr D Wood}}.",
    ),
)
