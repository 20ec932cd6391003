"""Blind papers: the names in a funding request's free text, replaced by neutral tokens.

When a cluster meeting reads requests blind, every name that could tell it which school, child or member of
staff a request is about becomes `[school]`, `[pupil]`, `[staff member]` or `[place]`. Everything else in
the text is kept byte for byte, possessive endings included ("[school]'s SENCO"). Pure Python, no Django.

What it knows is given as `KnownNames`: the council's schools, and the submitting school's staff, pupils,
pupil references and address. A `Redactor` turns those into one index of name forms, once, and then reads
any number of texts against it.

The rules, in the council's terms:

- A name is matched word by word, whatever the case, the spacing or the line break between its words, with
  a possessive ("Birkby's", "St Thomas'") or a plural-looking "s" ("St Marys"). A word of five letters or
  more also matches with one letter wrong, missing, extra or swapped ("Birbky"), if it is written with a
  capital, or stands next to a right word of the same name ("birbky juniors").
- Schools: the full name, its capitals when it is long (NHTS), and the short forms people write
  (`school_short_forms`). A match takes in the school words that follow it ("St Thomas CE Primary"), so it
  leaves one `[school]`.
- A school name made of ordinary English ("Brambles", "The Grove", "Park Hill") is redacted only where the
  text uses it as a name, so that blind papers still read well:
    * several ordinary words ("Park Hill", "Mill Lane") must be written with capitals or be followed by a
      school word ("mill lane primary"), and a street-named one is not the school after "on" or "along"
      ("lives on Park Road"); a compass word must have its capital too ("North Huddersfield");
    * one ordinary word ("Brambles"), church words only ("Holy Spirit", "Christ Church") and a secondary's
      or trust academy's one-word name, which is often its town's ("Batley" of Batley Grammar), must be
      written with a capital and be followed by a school word ("Grove Academy", but not "Forest School", the
      outdoor learning) or a role ("Brambles' SENCO", "Grove staff"), or come after "at", "from", "to",
      "with", "joined" and the like ("moved from Grove"), or after another school and "and" ("at Birkby and
      Grove"). A secondary's town-like name needs the school word or role;
    * colours, trees, animals and stars ("Green", "Oak", "Star") are also class, band and house names, so
      "at Oak" counts only if the text also names the school plainly ("Oak's SENCO", "Oak CofE");
    * never when a class, band or zone word follows ("Oak class", "Green zone"), nor after a title
      ("Mrs Marsden") or "the", "a", "our" and the like.
- Staff and pupils: the full name, the first name, the surname, a title with any of them or an initial
  ("Mrs Dyson", "Ms D", "Mr D Wood"), an initial with the surname ("C. Dyson"), and initials in capitals
  ("C.D.", "CD") unless the text around is in capitals. A first name or surname that is also a word ("Grace",
  "Hope", "Will", "May", "Brook") must be written with a capital, not follow "the" or "a", not be followed by
  a class or street word ("Hope Street"), and for months and seasons not be a date ("in May", "May half
  term"). At the start of a sentence it is a name only when the text also uses it as one, or joins it to
  one ("Rose and May"), or it has a possessive ("Jack's"); never when it starts a question ("Will this help?",
  "Will mum come?").
- Pupil references match whatever separates their parts: hyphens, slashes, spaces or nothing.
- Places: the submitting school's street (also as "Rd", "St", "Ave"), locality, town ("Stoke" for
  Stoke-on-Trent) and postcode, with or without its space.
- When matches overlap the longest wins. At equal length a reference or pupil beats a member of staff, who
  beats a school, which beats a place, except after "in", "near" or "lives" ("lives in Birkby"). Neighbouring
  matches of the same kind become one token. Next to a token left by an earlier redaction a name that needs
  context is never redacted, so redacting twice changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

TOKENS = {
    "pupil_reference": "[pupil]",
    "pupil": "[pupil]",
    "staff": "[staff member]",
    "place": "[place]",
    "school": "[school]",
}
_PRIORITY = {"pupil_reference": 0, "pupil": 1, "staff": 2, "school": 3, "place": 4}

# How sure a form must be of its context before it is redacted.
ALWAYS = "always"  # has a distinctive word: any case, anywhere
PROPER = "proper"  # only ordinary words: written with capitals, or followed by a school word
CONTEXT = "context"  # a single ordinary word: needs a school word, a role, or a cue such as "at"
TOWN = "town"  # a secondary's or trust academy's one-word name: needs a school word or a role
PERSON_WORD = "person_word"  # a person's name that is also an ordinary word
PLACE_WORD = "place_word"  # a place that is also an ordinary word
INITIALS = "initials"  # a person's initials, in capitals


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Ordinary English words: a name made only of these needs context before it is redacted, and a capitalised
# word listed here is never taken for a misspelt name. Common words, the words of a request about a child,
# and the landscape, trees, flowers, colours, animals, months, first names and surnames that are also words.
_ORDINARY_WORDS = _word_set(
    """
    a about above across after again against all almost alone along already also although always am
    among an and another any anyone anything are around as ask at away back bad be because been before
    behind being below best better between big both but by can cannot could did do does doing done down
    during each early either else enough even ever every few first for from further get give given go
    going good got great had has have having he her here hers herself him himself his how however i if
    in into is it its itself just keep kind last late least less let like likely little long lot made
    make many may me might more most much must my near need needs never new next no none nor not now of
    off often old on once one only onto or other our ours out over own part per place put quite rather
    really right same see seen she should since so some still such take than that the their them then
    there these they thing think this those though through thus to too under until up upon us use used
    very was way we well were what when where whether which while whilst who whole whom whose why will
    with within without would yet you your able across add after afternoon again age ago agree ahead aim
    allow almost already amount answer appear apply area arrive art ask attend away baby bar base basis
    bear beat become bed begin believe bit black blood blow body book born box boy break bring brother
    build burn busy buy call calm car card care carry case cat catch cause centre certain chair chance
    change charge check child choice choose city claim class clean clear climb close clothes cold colour
    come common cook cool copy corner cost count country couple course cover cry cup current cut dad
    damage dance dark date day dead deal dear decide deep degree depend describe design detail develop
    die difference dinner direct doctor dog door double doubt draw dream dress drink drive drop dry due
    ear earth east easy eat edge effect effort egg end energy enjoy enter equal even evening event exact
    example expect experience explain eye face fact fail fair fall family far farm fast father fear feel
    feet fight fill final find fine finger finish fire firm fish fit fix floor fly follow food foot
    force form free friend front fruit full fun future gain game garden gas general girl glad glass goal
    gold grade ground group grow guess guide gun hair half hand hang happen happy hard hat head health
    hear heart heat heavy help high hit hold hole home hope horse hot hour house huge hurt idea ill
    important inch include inside interest iron island job join joy judge jump key kid kill king kiss
    kitchen knee knock know lady land large laugh law lay lead learn leave left leg length level lie
    life lift light line list listen live local lock look lose loss lost loud love low lunch machine
    main man mark market match matter mean meet member men middle mile milk mind minute miss model
    moment money month morning mother mouth move mum music name nation nature neck nose note notice
    number object offer office open order page pain paint pair paper parent party pass past path pay
    peace pen people period person pick picture piece plan plant plate play please point poor position
    possible post pound power present press pretty price print problem process produce promise proper
    pull push question quick quiet race rain raise range rate reach read ready real reason record red
    rest result return rich ride ring rise risk rock roll room rose round row rule run safe sale salt
    save say scale school score sea season seat second seem sell send sense serve set shape share sharp
    sheet shoe shop short shot shoulder show shut side sign simple sing single sister sit size skill
    skin sleep slow small smell smile snow soft soil son song soon sort sound south space speak special
    speed spend spot square staff stage stand start state stay step stick stop store story straight
    strange street strong student study subject success sudden sugar suit summer sun supply support sure
    surprise sweet swim system table talk tall taste teach team tell term test thank thick thin third
    thought throw tie till time tiny title today together top total touch tour town track train travel
    tree trip trouble true trust try turn type uncle unit usual value view visit voice wait walk wall
    want war warm wash watch water wave wear weather week weight west wheel white wide wife wild win
    wind window wing winter wish woman wonder wood word work world worry write wrong yard year yellow
    young accept access achieve action active activities activity actual additional address adult advice
    agency agreed aims alongside annual anxiety anxious apart approach appropriate assess assessed
    assessment attempt attendance attention audit autism available aware behaviour benefit bid bottom
    brief budget calming careful carer carers challenge challenging checked children classroom classes
    clinic clinical cluster cognition communication community complete concern concerns confidence
    consent consider consistent continue contract core costs council counselling cover daily delay
    described desk diagnosis difficulties difficulty direct discuss discussed disorder distress during
    education effective emotional emotions engage engagement ensure environment equipment evidence
    exclusion expected extra families feedback focus following frequent funding group groups hearing
    hours impact improve improved increase independence independent individual initial inclusion input
    intervention interventions issue issues key language lead learning lesson lessons literacy maths
    meeting meetings mental mentor mentoring motor movement needs nurture observed occupational outcome
    outcomes outdoor outside paediatrician parents pastoral pattern phonics physical plans playground
    plus policy practice priority profile programme progress provide provision pupil pupils reading
    recent recently reduce referral regular regulation report request requested requests resources
    respond response review reviewed room routine routines safety schools screen sensory service
    services session sessions severe sibling skills social speech staff strategies strategy struggle
    struggles supported support targets teacher teachers teaching therapy toileting transition unable
    understand understanding update weekly wellbeing whole writing currently despite every following
    further however therefore because before after where which whilst although recently since during
    within without throughout overall previously initially sadly thankfully finally meanwhile
    additionally unfortunately alternatively instead perhaps please thanks thank abbey acre acres avenue
    ball bank banks barn bay beck bottom bridge bridges brook brooks brow burn campus castle chapel
    church cliff close common corner cottage court cove crescent croft cross dale dales dean den drive
    edge end estate farm fell field fields fold ford forest garth gate gates glade glebe glen green
    grange grove hall ham hamlet hanging harbour haven head heath height heights hill hills hollow home
    house hurst lake lakes lane lanes lea lees lodge manor marsh mead meadow meadows mere mews mill
    mills minster moor moorland moorlands moors mount mountain nook oaks orchard paddock parade park
    parks parish pasture pike place pond pool priory quarry rise river road row royd side spring springs
    square stone stones street terrace top tower town valley vale view village wall walk water waterside
    watermill way ways well wells wharf wood woods yard hillside windmill woodland woodlands fold
    riverside lakeside bramble brambles briar heather gorse fern ferns bracken thistle thorn thorns ivy
    holly hazel rowan cedar pine chestnut sycamore cherry apple poplar yew alder larch spruce fir lime
    acorn acorns oak ash beech birch birches elm willow willows maple laurel laurels myrtle cypress
    juniper magnolia blossom bluebell bluebells daisy daisies poppy poppies primrose lily lilies iris
    violet jasmine lavender clover rose roses buttercup buttercups sunflower sunflowers tulip orchid
    berry berries red orange yellow green blue indigo purple pink gold golden silver white black brown
    grey gray turquoise amber scarlet crimson navy cream owl owls fox foxes badger badgers hedgehog
    hedgehogs squirrel squirrels robin robins kingfisher kingfishers otter otters hare hares rabbit
    rabbits bee bees butterfly butterflies dragonfly dragonflies ladybird ladybirds eagle eagles falcon
    falcons hawk hawks heron herons penguin penguins lion lions tiger tigers bear bears dolphin dolphins
    swan swans wren wrens kestrel kestrels swallow swallows bird birds star stars sun moon rainbow
    rainbows comet comets planet planets sunshine phoenix horizon meridian sky ruby emerald sapphire
    diamond diamonds pearl crystal opal jade jewel spring summer autumn winter january february march
    april june july august september october november december monday tuesday wednesday thursday friday
    saturday sunday academy college school primary secondary infant infants junior juniors nursery first
    middle high grammar upper lower sixth free foundation trust federation learning discovery excel
    ethos merit engage kinetic pivot reach paradise pleasant sporting share studio peak branch christian
    institute unit hospital medical holy spirit saints hallows christ trinity sacred heart cross angels
    rosary blessed redeemer saviour shepherd good north south east west northern southern central new
    old great little grace hope will may faith joy sky storm river rain dawn eve pat sue jack frank art
    rob sandy dusty heather penny honey precious destiny harmony melody angel chase hunter mason cole
    reed miles max ray guy don dean drew grant wade ace rocky sunny bay glen ginger sage piper archer
    liberty patience prudence honor serenity tiger bill summer autumn april june august robin holly ivy
    poppy daisy lily ruby pearl amber crystal violet iris hazel willow star baker cook brown wood hill
    young hunter bishop price long bell fox rice hall wall page day cross marsh ford stone banks rivers
    fields lane bird swan lamb steel wise strong best love cash march frost bush pool hardy noble pride
    savage brook english french child mills ward booth chambers barber butcher carpenter cooper fisher
    gardener glover hunt knight miller potter porter rider sawyer shepherd slater turner walker weaver
    bowman chapman dyer farmer forester fowler gamble lord marshall north south moore oak heath dale
    vale brooks woods hills wells waters lake pond ridge craft light sparrow parrot finch crow rook
    raven dove wolf hart buck bull lamb
    """
)


def _phrases(text: str) -> tuple[tuple[str, ...], ...]:
    """Comma-separated phrases as tuples of words, the longest first."""
    phrases = [tuple(p.split()) for p in text.split(",") if p.strip()]
    return tuple(sorted(phrases, key=len, reverse=True))


# Words a school's name is made of that say what kind of school it is. Stripped to find its short forms.
_TYPE_PHRASES = _phrases(
    """
    church of england, c of e, cofe, ce, voluntary controlled, voluntary aided, controlled, aided, vc, va,
    endowed, roman catholic, catholic, rc, primary, academy, acadmey, school, schools, infant, infants,
    junior, juniors, jnr, nursery, first, and, &, j, i, early years, years, early, unit, foundation stage,
    community, federation, trust, special, specialist, preparatory, independent, learning campus, hospital,
    medical, pupil referral, pupil, referral, pru, christian, co-operative, co operative, high, grammar,
    college, sixth form, middle, girls, boys, free school
    """
)
_SECONDARY_WORDS = _word_set("high grammar college sixth form middle girls boys")
# School words that may follow any school's short form and are taken into its match ("Birkby Juniors").
_GENERIC_EXTENSION = _phrases(
    """
    church of england, c of e, voluntary controlled, voluntary aided, early years, j and i, j i, school,
    schools, primary, academy, junior, infant, nursery, ce, catholic, rc, vc, va, pru, federation
    """
)
# Words that belong to only some schools' names: taken in only after those schools' forms ("Honley High").
_OWN_EXTENSION = _phrases(
    """
    sixth form, learning campus, high, grammar, college, middle, first, girls, community, trust, endowed,
    aided, controlled
    """
)
# "Forest School" is outdoor learning, not a school called Forest.
_ORDINARY_COMPOUNDS = {
    (word, "school")
    for word in _word_set("forest beach sunday summer home holiday nursery free special high middle primary")
}
_SMALL_WORDS = _word_set("the of and on le upon under in a at for de la en")
_RELIGIOUS_WORDS = _word_set(
    """
    our lady holy spirit all saints hallows christ church trinity sacred heart family cross angels rosary
    blessed redeemer saviour good shepherd king the of and
    """
)
# Class, band, zone and house names in schools are often colours, trees, animals and stars.
_CLASS_NAME_WORDS = _word_set(
    """
    red orange yellow green blue indigo violet purple pink gold golden silver white black brown grey
    gray turquoise oak ash beech birch elm willow willows maple hazel rowan cedar pine chestnut holly
    sycamore cherry apple poplar yew alder larch acorn acorns owl owls fox foxes badger badgers hedgehog
    hedgehogs squirrel squirrels robin robins kingfisher kingfishers otter otters hare hares rabbit
    rabbits bee bees butterflies dragonflies ladybird ladybirds eagle eagles falcon falcons hawk hawks
    heron herons penguins lions tigers bears dolphins swan swans wren wrens kestrels star stars sun moon
    rainbow rainbows comet planet sunshine ruby emerald sapphire diamond pearl amber jade crystal opal
    """
)
_CLASS_WORDS = _word_set(
    """
    class classes group groups band bands level levels zone zones table tables set sets team teams room
    base book books pathway phase house houses card cards light lights sticker stickers colour bubble
    bubbles stage award awards
    """
)
_ROLE_WORDS = _word_set(
    """
    senco sencos sendco sendcos head headteacher headteachers deputy staff pupils children parents
    governors office teachers teacher leadership slt ta tas nurture inclusion family send
    """
)
_POSSESSIVE_ONLY_ROLES = _word_set("senco sendco head headteacher deputy staff governors office")
_CUE_WORDS = _word_set(
    """
    at from to with attends attend attending attended joined joins joining join left leaves leaving
    visited visit visiting visits transferred
    """
)
_DETERMINERS = _word_set(
    "the a an this that these those our my your his her their its some every each any no"
)
_PLACE_NOUNS = _word_set(
    """
    street road lane avenue close drive house centre center church park valley hall court way crescent
    terrace gardens garden grove place square hill trust foundation project
    """
)
_DATE_WORDS = _word_set(
    "may june april august march summer autumn winter spring january july september october november"
)
_DATE_AFTER = _word_set("half term terms holiday holidays break half-term fair bank")
_DATE_BEFORE = _word_set(
    """
    in since until till by during of early late mid last next this before after from end beginning start
    through throughout every each
    """
)
_MODAL_FOLLOWERS = _word_set(
    "i we you he she it they this that these those the a an there our your his her their be"
)
_TITLES = _word_set("mr mrs miss ms mx dr prof sir mstr")
_ABBREVIATIONS = _TITLES | _word_set("st eg ie etc vs no approx cf nb")
# Capitals that are words of the trade (or plain words), never someone's initials.
_JARGON = _word_set(
    """
    adhd add asd asc ot ep ta tas lsa hlta senco sendco sen send ehc ehcp ehcps camhs semh slcn mld sld
    pmld spld hi vi msi pd nsa odd ocd salt slt sencos cin cp lac pep iep isp ssp apdr eyfs fsm pp dsl
    ht dht aht gp nhs ok uk it pe re dt ict pshe mfl sats sat am pm tv id cv eal ect nqt ks yr tac taf
    eha bsl dfe la lea hr ceo uni ma ba bsc phd cpd qts ocr aqa ib do go up no so on in at be we me he
    us an as is of or to by if my mins pins bins sms gps css epa cpa elsa sdq boxall tis pecs gds
    """
)
_LOCATION_WORDS = _word_set("in near around across outside within live lives living")
_STREET_WORDS = _word_set("lane road street avenue drive close way crescent terrace")
_STREET_PREPOSITIONS = _word_set("on off along down up opposite near past onto")
_COMPASS_WORDS = _word_set("north south east west upper lower")
_POSTCODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2}\d[A-Za-z\d]?)[ \t]*(\d[A-Za-z]{2})(?![A-Za-z0-9])")
_POSTCODE_SHAPE = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}$")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|&")
_PLACEHOLDER = re.compile(r"\[(?:school|pupil|staff member|place)\]")
_REFERENCE_GAP = re.compile(r"[ \t]*[-–/.]?[ \t]*")
_STREET_ABBREVIATIONS = {"street": "st", "drive": "dr", "road": "rd", "avenue": "ave", "lane": "ln"}
_ALIASES = {
    "saint": "st",
    "jnr": "junior",
    "juniors": "junior",
    "infants": "infant",
    "&": "and",
    "cofe": "ce",
    "rd": "road",
    "ave": "avenue",
    "ln": "lane",
    "center": "centre",
    "acadmey": "academy",
}
_NORMAL_TYPE_PHRASES = tuple(tuple(_ALIASES.get(w, w) for w in p) for p in _TYPE_PHRASES)
# Words that are never taken for a misspelt name, though they are one letter away from one ("Aided", "Aiden").
_NEVER_A_TYPO = (
    _JARGON
    | _TITLES
    | _CLASS_WORDS
    | _ROLE_WORDS
    | _DATE_WORDS
    | {_ALIASES.get(w, w) for phrase in _TYPE_PHRASES for w in phrase}
)


def _by_last_word(phrases) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:  # longest first, as they are sorted
        index.setdefault(phrase[-1], []).append(phrase)
    return index


_TYPE_ENDINGS = _by_last_word(_TYPE_PHRASES)
_NORMAL_TYPE_ENDINGS = _by_last_word(_NORMAL_TYPE_PHRASES)
_TYPE_MARKERS = {"a", "c", "vc", "va", "ce", "cofe", "voluntary", "controlled", "aided"}


@dataclass(frozen=True)
class KnownNames:
    """The names a blind paper must not show: the council's schools and, for the submitting school, its
    staff, its pupils (real names and its own references) and its address."""

    schools: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    pupils: tuple[str, ...] = ()
    pupil_references: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class Redaction:
    """One stretch of a text to replace: where it starts and ends, and what kind of name it is."""

    start: int
    end: int
    kind: str

    @property
    def token(self) -> str:
        return TOKENS[self.kind]


def _fold(text: str) -> str:
    """Lower case without accents, and one kind of apostrophe."""
    text = text.replace("’", "'").casefold()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _strip_possessive(word: str) -> str:
    if word.endswith(("'s", "’s", "'S", "’S")):
        return word[:-2]
    return word.rstrip("'’")


def _normal(word: str) -> str:
    """A word as the index keeps it: folded, without a possessive, with the usual abbreviations spelt out."""
    key = _fold(_strip_possessive(word))
    return _ALIASES.get(key, key)


def _is_ordinary(word: str) -> bool:
    return word in _ORDINARY_WORDS or word in _SMALL_WORDS or len(word) <= 2


def _school_words_at_end(words: list[str], phrases: dict[str, list[tuple[str, ...]]], keep: int = 0) -> int:
    """How many words at the end of a name are school words ("... CE Primary School" is three)."""
    end = len(words)
    while end > keep:
        for phrase in phrases.get(words[end - 1], ()):
            n = len(phrase)
            if end - n >= keep and tuple(words[end - n : end]) == phrase:
                end -= n
                break
        else:
            break
    return len(words) - end


@lru_cache(maxsize=20_000)
def _type_free(words: tuple[str, ...]) -> tuple[str, ...]:
    """A form's words before the school words that end it ("St Thomas CE Primary" -> st, thomas)."""
    return words[: len(words) - _school_words_at_end(list(words), _NORMAL_TYPE_ENDINGS)]


def _within_one_edit(a: str, b: str) -> bool:
    """True when b is a with one letter changed, added, removed, or two neighbours swapped."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _words_of(text: str) -> list[str]:
    return [_normal(m.group()) for m in _WORD.finditer(text)]


# --- schools' short forms -------------------------------------------------------------------------------


def _key(word: str) -> str:
    return _fold(_strip_possessive(word.strip("()[],.:;")))


def _title(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def _school_form_specs(name: str) -> list[tuple[str, bool]]:
    """A school's short forms, each with whether it needs a school context (a secondary's or a trust
    academy's one-word name, which is often its town's)."""
    text = " ".join(name.split())
    if not text:
        return []
    if text.isupper():
        text = " ".join(_title(w) for w in text.split())
    qualifiers: list[str] = []

    def _parenthesis(match: re.Match) -> str:
        inner = tuple(_words_of(match.group(1)))
        if inner and _type_free(inner) and not all(w in _TYPE_MARKERS for w in inner):
            qualifiers.append(match.group(1).strip())
        return " "

    text = " ".join(re.sub(r"\(([^)]*)\)", _parenthesis, text).split())
    for separator in (":", " - ", " – ", " for "):
        head, found, rest = text.partition(separator)
        if found:
            text = head
            if separator in (" - ", " – ") and rest and not rest.lower().startswith("a "):
                qualifiers.append(rest.strip())
    parts = [p.strip() for p in text.split(",")]
    main = parts[0]
    for part in parts[1:]:
        if not part:
            continue
        if not _type_free(tuple(_normal(w) for w in part.split())):
            main += " " + part
        elif not part.lower().startswith("a "):
            qualifiers.append(part)
    words = main.split()
    keys = [_key(w) for w in words]
    had_the = bool(keys) and keys[0] == "the" and len(keys) > 1
    if had_the:
        words, keys = words[1:], keys[1:]
    if len(keys) > 2 and keys[:2] == ["city", "of"]:
        words, keys = words[2:], keys[2:]
    trust_prefix = len(keys) > 2 and keys[0] in {"co-op", "coop"} and keys[1] == "academy"
    if trust_prefix:
        words, keys = words[2:], keys[2:]
    cut = _school_words_at_end(keys, _TYPE_ENDINGS, keep=1)
    stripped = words[len(words) - cut :]
    words, keys = words[: len(words) - cut], keys[: len(keys) - cut]
    core_words = [w for w in words if not any(c.isdigit() for c in w)] or words
    if not core_words:
        return []
    stripped_keys = [_key(w) for w in stripped]
    secondary = [w for w, k in zip(stripped, stripped_keys, strict=True) if k in _SECONDARY_WORDS]
    ormiston = [w for w in core_words if _key(w) == "ormiston"]
    plain_core = [w for w in core_words if _key(w) != "ormiston"] or core_words
    core = " ".join(core_words)
    forms: list[tuple[str, bool]] = []

    def add(form: str, needs_context: bool = False) -> None:
        form = " ".join(form.split())
        if form and form.lower() != name.lower() and (form, needs_context) not in forms:
            forms.append((form, needs_context))

    one_word = len(plain_core) == 1
    add(core, needs_context=one_word and (bool(secondary) or trust_prefix))
    if ormiston and plain_core != core_words:
        add(" ".join(plain_core))
    for n in range(1, len(secondary) + 1):
        add(core + " " + " ".join(secondary[:n]))
    if had_the:
        add("The " + core)
    if trust_prefix:
        add("Co-op " + core)
        add(core + " Academy")
    if "junior" in stripped_keys or "juniors" in stripped_keys:
        for suffix in ("Juniors", "Junior", "Jnr"):
            add(f"{core} {suffix}")
    if "infant" in stripped_keys or "infants" in stripped_keys:
        for suffix in ("Infants", "Infant"):
            add(f"{core} {suffix}")
    for k in range(len(core_words)):
        if _key(core_words[k]) in {"st", "saint"} and k + 1 < len(core_words):
            rest = " ".join(core_words[k + 1 :])
            bare = _strip_possessive(rest)
            for saint in ("St", "St.", "Saint"):
                add(f"{saint} {rest}")
            add(f"St {bare}")
            add(f"St {bare}'" if bare.endswith("s") else f"St {bare}'s")
            if bare.endswith("s"):
                add(f"St {bare}'s")
    if len(core_words) == 2 and _key(core_words[1]) == "church":
        add(core_words[0] + "church")  # Christ Church is often Christchurch
    for qualifier in qualifiers:
        if len(qualifier.split()) <= 2:
            add(f"{core} {_title(qualifier) if qualifier.isupper() else qualifier}")
    return forms


def _initialism(name: str) -> str | None:
    """The capitals a long school name is known by ("North Huddersfield Trust School" is NHTS), when
    that is four or five letters (three for a secondary) and not a word of the trade."""
    main = re.split(r"[,:(]| - ", " ".join(name.split()))[0]
    words = [
        w for w in re.findall(r"[^\W\d_]+(?:['’][^\W_]+)?", main) if _fold(w) not in {"the", "of", "and"}
    ]
    if len(words) < 3:
        return None
    letters = "".join(_fold(w)[0] for w in words)
    if letters in _JARGON or letters in _ORDINARY_WORDS or not 3 <= len(letters) <= 5:
        return None
    if len(letters) == 3 and not any(_fold(w) in {"high", "grammar", "college"} for w in words):
        return None  # three capitals are too often something else ("GPS", "SMS")
    return letters


def school_short_forms(name: str) -> list[str]:
    """The common short forms people write for a school's name: "St Thomas CE Primary School" is also
    "St Thomas", "St Thomas'", "St Thomas's", "St. Thomas" and "Saint Thomas"."""
    return [form for form, _ in _school_form_specs(name)]


# --- the index ----------------------------------------------------------------------------------------


@dataclass
class _Form:
    kind: str
    words: tuple[str, ...]
    guard: str
    extension: set[tuple[str, ...]] = field(default_factory=set)
    # a school whose name is a possessive ("St Patrick's", "Kaye's") carries on past its apostrophe
    possessive_name: bool = False
    core: tuple[str, ...] = ()  # its words before the school words that end it

    def __post_init__(self) -> None:
        self.core = _type_free(self.words) or self.words


class _Node:
    __slots__ = ("children", "forms")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.forms: list[_Form] = []


@dataclass(slots=True)
class _Token:
    start: int
    end: int  # where the name ends, before any possessive
    full_end: int  # after the possessive
    raw: str
    norm: str
    possessive: bool
    opaque: bool  # part of a token a redaction already left


@dataclass(slots=True)
class _Candidate:
    start_token: int
    end_token: int  # the last token of the name, extension included
    form: _Form
    extended: int  # how many school words were taken in after the form
    start: int
    end: int
    pending: bool = False
    rank: float = 0  # which kind wins a tie: lower first


_TITLE_KEY = "\x00title"
_LOWER_TYPO = "\x00lower:"


def _initial_key(letter: str) -> str:
    return "\x00i:" + letter


def _initials_key(letters: str) -> str:
    return "\x00ii:" + letters


class Redactor:
    """Reads texts against one council's and one submitting school's names. Build it once; it is cheap to
    reuse for every field of every request that shares those names."""

    def __init__(self, names: KnownNames):
        self.names = names
        self._root = _Node()
        self._forms: dict[tuple[str, tuple[str, ...]], _Form] = {}
        self._vocabulary: set[str] = set()
        self._fuzzy_index: dict[str, set[str]] = {}
        self._references: set[str] = set()
        self._reference_prefixes: set[str] = set()
        self._reference_starts: set[str] = set()
        self._reference_parts = 1
        self._postcodes: set[str] = set()
        self._token_cache: dict[str, tuple[tuple[str, bool], ...]] = {}
        self._possessive_words: set[str] = set()
        for school in names.schools:
            self._add_school(school)
        for person in names.staff:
            self._add_person(person, "staff")
        for person in names.pupils:
            self._add_person(person, "pupil")
        for reference in names.pupil_references:
            self._add_reference(reference)
        for place in names.places:
            self._add_place(place)
        self._build_fuzzy_index()

    # building

    def _add(self, kind: str, words: tuple[str, ...], guard: str, extension=()) -> _Form | None:
        words = tuple(w for w in words if w)
        if not words:
            return None
        key = (kind, words)
        form = self._forms.get(key)
        if form is None:
            form = _Form(kind, words, guard)
            self._forms[key] = form
            node = self._root
            for word in words:
                node = node.children.setdefault(word, _Node())
            node.forms.append(form)
        elif _strength(guard) > _strength(form.guard):
            form.guard = guard
        form.extension.update(extension)
        self._vocabulary.update(w for w in words if not w.startswith("\x00"))
        return form

    def _add_school(self, name: str) -> None:
        full = tuple(_words_of(name))
        own = {p for p in _OWN_EXTENSION if _contains(full, p)}
        self._possessive_words.update(_normal(w) for w in re.findall(r"[^\W_]+(?=['’])", name))
        self._add("school", full, _school_guard(full), own)
        letters = _initialism(name)
        if letters:
            self._add("school", (_initials_key(letters),), INITIALS)
        for display, needs_context in _school_form_specs(name):
            words = tuple(_words_of(display))
            guard = _school_guard(words)
            if needs_context and guard == ALWAYS:
                guard = TOWN
            form = self._add("school", words, guard, own)
            if form is not None and (words[0] == "st" or display.endswith(("'s", "'", "’s", "’"))):
                form.possessive_name = True

    def _add_person(self, name: str, kind: str) -> None:
        parts = [tuple(_words_of(part)) for part in name.split()]
        parts = [p for p in parts if p]
        if not parts:
            return
        first, last = parts[0], parts[-1]
        everything = tuple(w for p in parts for w in p)
        self._add(kind, everything, _name_guard(everything))
        self._add(kind, first, _word_guard(first))
        if len(parts) == 1:
            self._add(kind, (_TITLE_KEY, *first), ALWAYS)
            return
        self._add(kind, first + last, _name_guard(first + last))
        self._add(kind, last, _word_guard(last))
        self._add(kind, (_TITLE_KEY, *last), ALWAYS)
        self._add(kind, (_TITLE_KEY, *first), ALWAYS)
        self._add(kind, (_TITLE_KEY, *first, *last), ALWAYS)
        self._add(kind, (_TITLE_KEY, _initial_key(first[0][0]), *last), ALWAYS)
        self._add(kind, (_TITLE_KEY, _initial_key(last[0][0])), INITIALS)
        self._add(kind, (_initial_key(first[0][0]), *last), _name_guard(last))
        self._add(kind, (_initial_key(first[0][0]), _initial_key(last[0][0])), INITIALS)
        letters = "".join(p[0][0] for p in parts)
        if letters.isalpha() and letters not in _JARGON:
            self._add(kind, (_initials_key(letters),), INITIALS)
            if len(parts) > 2:
                self._add(kind, (_initials_key(first[0][0] + last[0][0]),), INITIALS)

    def _add_reference(self, reference: str) -> None:
        parts = re.findall(r"[^\W_]+", _fold(reference))
        if not parts:
            return
        joined = "".join(parts)
        self._references.add(joined)
        self._reference_prefixes.update(joined[:i] for i in range(1, len(joined) + 1))
        self._reference_starts.add(joined[0])
        self._reference_parts = max(self._reference_parts, len(parts) + 2)

    def _add_place(self, place: str) -> None:
        place = " ".join(place.split())
        if not place:
            return
        if _POSTCODE_SHAPE.match(place):
            self._postcodes.add(re.sub(r"\s", "", place).upper())
            return
        words = tuple(_words_of(place))
        self._add("place", words, _place_guard(words))
        last = place.split()[-1].lower()
        if last in _STREET_ABBREVIATIONS and len(words) > 1:
            short = words[:-1] + (_normal(_STREET_ABBREVIATIONS[last]),)
            self._add("place", short, _place_guard(words))
        if len(words) == 3 and words[1] in {"on", "upon", "under", "le"}:
            self._add("place", words[:1], _place_guard(words[:1]))  # "Stoke" for Stoke-on-Trent

    def _build_fuzzy_index(self) -> None:
        for word in self._vocabulary:
            if len(word) >= 5 and word.isalpha() and not _is_ordinary(word):
                for key in _deletes(word) | {word}:
                    self._fuzzy_index.setdefault(key, set()).add(word)

    # reading

    def _candidates_for(self, raw: str, norm: str) -> tuple[tuple[str, bool], ...]:
        """The index words a token can stand for, each with whether it is an exact match."""
        cache_key = raw
        cached = self._token_cache.get(cache_key)
        if cached is not None:
            return cached
        out: list[tuple[str, bool]] = []
        capital = raw[:1].isupper()
        letters = raw.replace("'", "").replace("’", "")
        if norm in self._vocabulary:
            out.append((norm, True))
        elif norm.endswith("s") and norm[:-1] in self._vocabulary and not _is_ordinary(norm[:-1]):
            out.append((norm[:-1], True))
        elif (
            len(norm) >= 4
            and norm.isalpha()
            and not _is_ordinary(norm)
            and norm not in _NEVER_A_TYPO
            and not (letters.isupper() and len(letters) <= 5)
        ):
            found = set()
            for key in _deletes(norm) | {norm}:
                found.update(self._fuzzy_index.get(key, ()))
            for word in sorted(found):
                if _within_one_edit(norm, word):
                    out.append((word, False) if capital else (_LOWER_TYPO + word, False))
        if norm in _TITLES and (capital or norm in {"mr", "mrs", "ms", "mx", "dr"}):
            out.append((_TITLE_KEY, True))
        if len(letters) == 1 and letters.isalpha() and letters.isupper():
            out.append((_initial_key(_fold(letters)), True))
        if (
            2 <= len(letters) <= 5
            and letters.isalpha()
            and letters.isupper()
            and _fold(letters) not in _JARGON
        ):
            out.append((_initials_key(_fold(letters)), True))
        result = tuple(out)
        if len(self._token_cache) > 100_000:
            self._token_cache.clear()
        self._token_cache[cache_key] = result
        return result

    def find(self, text: str) -> list[Redaction]:
        """Every stretch of the text to redact, in order, none overlapping."""
        tokens = _tokenise(text)
        found: list[_Candidate] = []
        found += self._find_forms(tokens, text)
        found += self._find_references(tokens, text)
        found += self._find_postcodes(text)
        found = _resolve_pending(found, tokens, text)
        found = _resolve_pending(self._chain(found, tokens, text), tokens, text)
        return _merge(_choose(found), text)

    def redact(self, text: str) -> str:
        """The text with every known name replaced by its token."""
        if not text:
            return text
        out, position = [], 0
        for redaction in self.find(text):
            out.append(text[position : redaction.start])
            out.append(redaction.token)
            position = redaction.end
        out.append(text[position:])
        return "".join(out)

    def _find_forms(self, tokens: list[_Token], text: str) -> list[_Candidate]:
        """Every form of the index that the words starting at each token spell, and that is used as a name
        there. The index is a tree of words, so each token costs a few dictionary look-ups."""
        found = []
        n = len(tokens)
        for i in range(n):
            if tokens[i].opaque:
                continue
            # (node, exact words matched so far, whether a comma was crossed)
            states = [(self._root, 0, False)]
            j = i
            while states and j < n and not tokens[j].opaque:
                token = tokens[j]
                comma = False
                if j > i:
                    gap = _gap_kind(tokens[j - 1], token, text)
                    if gap is None or (
                        tokens[j - 1].possessive and not self._apostrophe_inside(tokens, j - 1)
                    ):
                        break  # "Birkby's juniors" is not "Birkby Juniors"
                    comma = gap == "comma"
                next_states = []
                for node, exact, crossed in states:
                    for word, is_exact in self._candidates_for(token.raw, token.norm):
                        lower_typo = word.startswith(_LOWER_TYPO)
                        child = node.children.get(word[len(_LOWER_TYPO) :] if lower_typo else word)
                        if child is None:
                            continue
                        state = (child, exact + (is_exact and not word.startswith("\x00")), crossed or comma)
                        next_states.append(state)
                        for form in child.forms:
                            if state[2] and form.kind != "school":
                                continue  # only a school's official name has a comma in it
                            if lower_typo and (j == i or state[1] == 0):
                                continue  # a misspelt word in lower case counts only beside a right one
                            candidate = _judge(form, i, j, tokens, text)
                            if candidate is not None:
                                found.append(candidate)
                states = next_states
                j += 1
        return found

    def _apostrophe_inside(self, tokens: list[_Token], k: int) -> bool:
        """Whether the possessive on token k can be inside a school's name ("St Patrick's Catholic")."""
        return tokens[k].norm in self._possessive_words or (k >= 1 and tokens[k - 1].norm == "st")

    def _find_references(self, tokens: list[_Token], text: str) -> list[_Candidate]:
        if not self._references:
            return []
        found = []
        form = _Form("pupil_reference", (), ALWAYS)
        for i, first in enumerate(tokens):
            if first.opaque:
                continue
            if first.raw[:1].lower() not in self._reference_starts:
                continue
            first_part = _fold(first.raw).replace("'", "")
            joined = ""
            for j in range(i, min(len(tokens), i + self._reference_parts)):
                if j > i:
                    gap = text[tokens[j - 1].full_end : tokens[j].start]
                    if tokens[j - 1].possessive or not _REFERENCE_GAP.fullmatch(gap):
                        break
                joined += _fold(tokens[j].raw).replace("'", "") if j > i else first_part
                if joined not in self._reference_prefixes:
                    break
                if joined in self._references:
                    found.append(_Candidate(i, j, form, 0, first.start, tokens[j].end, rank=0))
        return found

    def _find_postcodes(self, text: str) -> list[_Candidate]:
        if not self._postcodes:
            return []
        form = _Form("place", (), ALWAYS)
        return [
            _Candidate(-1, -1, form, 0, m.start(), m.end(), rank=_PRIORITY["place"])
            for m in _POSTCODE.finditer(text)
            if (m.group(1) + m.group(2)).upper() in self._postcodes
        ]

    def _chain(self, found: list[_Candidate], tokens: list[_Token], text: str) -> list[_Candidate]:
        """A school written as an ordinary word straight after another school and "and", "or" or a comma
        ("at Birkby and Grove") is a school too."""
        school_ends = {c.end_token for c in found if c.form.kind == "school"}
        extra = []
        for i in range(1, len(tokens)):
            if i - 1 not in school_ends and i - 2 not in school_ends:
                continue
            token = tokens[i]
            if token.opaque or not _titlecase(token.raw):
                continue
            gap = text[tokens[i - 1].full_end : token.start].strip()
            if gap == "" and tokens[i - 1].norm in {"and", "or"} and i >= 2:
                linked = i - 2 in school_ends and _plain_gap(
                    text, tokens[i - 2].full_end, tokens[i - 1].start
                )
            else:
                linked = gap == "," and i - 1 in school_ends
            if not linked:
                continue
            node, j = self._root, i
            while j < len(tokens) and (j == i or _gap_kind(tokens[j - 1], tokens[j], text) == "plain"):
                node = node.children.get(tokens[j].norm)
                if node is None:
                    break
                for form in node.forms:
                    if form.kind == "school" and form.guard == CONTEXT:
                        candidate = _judge(form, i, j, tokens, text, chained=True)
                        if candidate is not None:
                            extra.append(candidate)
                            school_ends.add(candidate.end_token)
                j += 1
        return found + extra


def _judge(form: _Form, i: int, j: int, tokens: list[_Token], text: str, chained: bool = False):
    """The candidate when the form's words at tokens i..j are used as a name there, or None."""
    extended = _extend(form, j, tokens, text) if form.kind == "school" else 0
    verdict = _guard_passes(form, i, j, extended, tokens, text, chained)
    if verdict is False:
        return None
    last = j + extended
    end = tokens[last].end
    if form.guard == INITIALS and len(tokens[last].raw) == 1 and text[end : end + 1] == ".":
        rest = text[end + 1 : end + 3]
        if rest and rest[0] != "\n" and not (rest[0].isspace() and rest[1:2].isupper()):
            end += 1  # "(H.E.)" and "C.D. said" lose their last full stop; "...to C.D. Then" keeps it
    rank = _PRIORITY[form.kind]
    if form.kind == "place" and _previous_word(tokens, i, text) in _LOCATION_WORDS:
        rank = _PRIORITY["school"] - 0.5  # "lives in Birkby" is the place, "at Birkby" the school
    return _Candidate(i, last, form, extended, tokens[i].start, end, verdict == "pending", rank)


def _resolve_pending(found: list[_Candidate], tokens: list[_Token], text: str) -> list[_Candidate]:
    """Settle the names that could also be ordinary words, by what the rest of the text says.

    A person's name at the start of a sentence ("Grace has...") is a name when the text also uses it as a
    name elsewhere ("Grace Example", "Grace's mum"), or joins it to a name ("Rose and May planted..."), and
    it does not start a question ("Will this help?", "Will mum come?"). A class-like school word after "at"
    or "from" ("at Oak") is the school when the text also names that school plainly ("Oak's SENCO")."""
    settled = [c for c in found if not c.pending]
    named = {(c.form.kind, word) for c in settled for word in c.form.words}
    schools = {id(c.form) for c in settled if c.form.kind == "school"}
    person_starts = {c.start_token for c in settled if c.form.kind in ("pupil", "staff")}
    out = []
    for c in found:
        if c.pending:
            if c.form.kind == "school":
                if id(c.form) not in schools:
                    continue
            else:
                k = c.end_token
                after = _next_word(tokens, k, text)
                linked = (after in {"and", "or"} and k + 2 in person_starts) or (
                    k + 1 in person_starts and text[tokens[k].full_end : tokens[k + 1].start].strip() == ","
                )
                known = all((c.form.kind, w) in named for w in c.form.words)
                if after in _MODAL_FOLLOWERS or not (known or linked) or _starts_question(c, text):
                    continue
            c.pending = False
        out.append(c)
    return out


def _starts_question(candidate: _Candidate, text: str) -> bool:
    """Whether a sentence that starts with "Will" or "May" ends with a question mark: then it is the verb."""
    if candidate.form.words[0] not in {"will", "may"}:
        return False
    ends = [text.find(mark, candidate.end) for mark in ".!?\n"]
    ends = [e for e in ends if e >= 0]
    return bool(ends) and text[min(ends)] == "?"


def _strength(guard: str) -> int:
    return {ALWAYS: 6, INITIALS: 5, PROPER: 4, PLACE_WORD: 3, PERSON_WORD: 3, CONTEXT: 2, TOWN: 1}[guard]


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[k : k + n] == phrase for k in range(len(words) - n + 1))


def _school_guard(words: tuple[str, ...]) -> str:
    content = [w for w in _type_free(words) if w not in _SMALL_WORDS]
    if not content:
        return PROPER
    if content[0] == "st":
        return ALWAYS
    if content[0] in _COMPASS_WORDS and len(content) == 2:
        return PROPER  # "North Huddersfield", but not "north Huddersfield"
    if all(w in _RELIGIOUS_WORDS for w in content):
        return CONTEXT
    if any(not _is_ordinary(w) for w in content):
        return ALWAYS
    return CONTEXT if len(content) == 1 else PROPER


def _name_guard(words: tuple[str, ...]) -> str:
    return ALWAYS if any(not _is_ordinary(w) for w in words) else PROPER


def _word_guard(words: tuple[str, ...]) -> str:
    return ALWAYS if all(not _is_ordinary(w) for w in words) else PERSON_WORD


def _place_guard(words: tuple[str, ...]) -> str:
    if any(not _is_ordinary(w) for w in words):
        return ALWAYS
    return PROPER if len(words) > 1 else PLACE_WORD


_WORD_CACHE: dict[str, tuple[str, str]] = {}


def _read_word(raw: str) -> tuple[str, str]:
    """A word as written without its "'s", and as the index keeps it; remembered, as texts repeat words."""
    read = _WORD_CACHE.get(raw)
    if read is None:
        base = _strip_possessive(raw) if raw.endswith(("'s", "’s", "'S", "’S")) and len(raw) > 2 else raw
        read = (base, _normal(base))
        if len(_WORD_CACHE) > 200_000:
            _WORD_CACHE.clear()
        _WORD_CACHE[raw] = read
    return read


def _tokenise(text: str) -> list[_Token]:
    opaque = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)] if "[" in text else []
    tokens = []
    k = 0
    for m in _WORD.finditer(text):
        raw, start, end = m.group(), m.start(), m.end()
        base, norm = _read_word(raw)
        possessive, full_end = len(base) != len(raw), end
        apostrophe = text[end : end + 1] in ("'", "’") and not text[end + 1 : end + 2].isalnum()
        if not possessive and raw[-1] in "sS" and apostrophe:
            possessive, full_end = True, end + 1  # "Brambles' SENCO"
        inside = False
        if opaque:
            while k < len(opaque) and opaque[k][1] <= start:
                k += 1
            inside = k < len(opaque) and opaque[k][0] < start < opaque[k][1]
        tokens.append(_Token(start, start + len(base), full_end, base, norm, possessive, inside))
    return tokens


def _gap_kind(previous: _Token, token: _Token, text: str) -> str | None:
    """How two words of one name may be apart: "plain" (spaces, one line break, a hyphen, brackets, the
    full stop of an abbreviation or an initial), "comma", or None when they cannot be one name."""
    gap = text[previous.full_end : token.start]
    if not gap:
        return "plain"
    if len(gap) > 12 or "\n\n" in gap.replace("\r", "") or "[" in gap or "]" in gap:
        return None
    core = "".join(gap.split())
    if core == "" or core.strip("()") == "":
        return "plain"
    if core in ("-", "–") and gap == core:
        return "plain"
    if core == "." and (previous.norm in _ABBREVIATIONS or len(previous.raw) == 1):
        return "plain"
    if core == ",":
        return "comma"
    return None


def _plain_gap(text: str, a: int, b: int) -> bool:
    gap = text[a:b]
    return gap.strip() == "" and "\n\n" not in gap


def _next_word(tokens: list[_Token], j: int, text: str) -> str | None:
    """The word after token j, when only spaces separate them."""
    if j + 1 < len(tokens) and _plain_gap(text, tokens[j].full_end, tokens[j + 1].start):
        if not tokens[j + 1].opaque and (not tokens[j].possessive or tokens[j].full_end == tokens[j].end + 1):
            return tokens[j + 1].norm
        if tokens[j].possessive and not tokens[j + 1].opaque:
            return tokens[j + 1].norm
    return None


def _previous_word(tokens: list[_Token], i: int, text: str) -> str | None:
    """The word before token i, when only spaces (or a title's full stop) separate them."""
    if i >= 1 and not tokens[i - 1].opaque:
        previous = tokens[i - 1]
        gap = text[previous.full_end : tokens[i].start]
        if not previous.possessive and (
            _plain_gap(text, previous.full_end, tokens[i].start)
            or (gap.strip() == "." and previous.norm in _TITLES)
        ):
            return previous.norm
    return None


def _after_title(tokens: list[_Token], i: int, text: str) -> bool:
    return _previous_word(tokens, i, text) in _TITLES and tokens[i - 1].raw[:1].isupper()


def _sentence_start(tokens: list[_Token], i: int, text: str) -> bool:
    k = tokens[i].start - 1
    while k >= 0 and (text[k].isspace() or text[k] in "\"'“‘([«"):
        k -= 1
    if k < 0 or "\n\n" in text[k : tokens[i].start].replace("\r", ""):
        return True
    ch = text[k]
    if ch in "!?…":
        return True
    if ch == ".":
        previous = tokens[i - 1] if i >= 1 else None
        if previous is not None and previous.full_end == k:
            return not (previous.norm in _ABBREVIATIONS or len(previous.raw) == 1)
        return True
    return ch in "•*·▪-–" and (k == 0 or text[k - 1] == "\n")


def _extension_phrases(form: _Form):
    yield from _GENERIC_EXTENSION
    yield from sorted(form.extension, key=len, reverse=True)


def _extend(form: _Form, j: int, tokens: list[_Token], text: str) -> int:
    """How many school words straight after the form belong to the same name ("St Thomas CE Primary")."""
    taken, k = 0, j + 1
    while k < len(tokens) and _joins(tokens, k, text, form.possessive_name and k == j + 1):
        words = tuple(t.norm for t in tokens[k : k + 4])
        step = 0
        for skip in (0, 1) if words[0] != "and" else (1,):
            for phrase in _extension_phrases(form):
                n = len(phrase)
                if words[skip : skip + n] == phrase and all(
                    _joins(tokens, x, text) for x in range(k + 1, k + skip + n)
                ):
                    step = skip + n
                    break
            if step:
                break
        if not step:
            break
        taken += step
        k += step
    return taken


def _joins(tokens: list[_Token], k: int, text: str, past_apostrophe: bool = False) -> bool:
    """Whether token k can carry on the name that token k-1 is part of."""
    return (
        k < len(tokens)
        and not tokens[k].opaque
        and (past_apostrophe or not tokens[k - 1].possessive)
        and _gap_kind(tokens[k - 1], tokens[k], text) == "plain"
    )


def _capitalised(raw: str) -> bool:
    return raw[:1].isupper()


def _titlecase(raw: str) -> bool:
    """Written as a name usually is: a capital first, and not all in capitals."""
    letters = [c for c in raw if c.isalpha()]
    return bool(letters) and letters[0].isupper() and (len(letters) == 1 or any(c.islower() for c in letters))


def _shouting(token: _Token | None) -> bool:
    """A word in capitals that is not a word of the trade: the text is written in capitals there."""
    return (
        token is not None
        and len(token.raw) >= 3
        and token.raw.isalpha()
        and token.raw.isupper()
        and token.norm not in _JARGON
    )


def _beside_placeholder(tokens: list[_Token], i: int, last: int, text: str) -> bool:
    """Whether a token that an earlier redaction left ("[school]") is right before or after tokens i..last."""
    before = i >= 1 and tokens[i - 1].opaque and _plain_gap(text, tokens[i - 1].full_end + 1, tokens[i].start)
    after = (
        last + 1 < len(tokens)
        and tokens[last + 1].opaque
        and _plain_gap(text, tokens[last].full_end, tokens[last + 1].start - 1)
    )
    return before or after


def _guard_passes(form: _Form, i: int, j: int, extended: int, tokens: list[_Token], text: str, chained: bool):
    """Whether the form, found at tokens i..j and taking in `extended` school words, is used as a name
    there: True, False, or "pending" for an ordinary-word name at the start of a sentence."""
    guard = form.guard
    if form.kind in ("school", "place") and _after_title(tokens, i, text):
        return False  # "Mrs Marsden" is a person
    if guard == ALWAYS:
        return True
    written = tokens[i : j + 1]
    last = j + extended
    if _beside_placeholder(tokens, i, last, text):
        return False  # what stood there decided it the first time; redacting again changes nothing
    after = _next_word(tokens, last, text)
    before = _previous_word(tokens, i, text)
    core = form.core
    content = [
        t
        for k, (t, w) in enumerate(zip(written, core, strict=False))
        if w not in _SMALL_WORDS and not (k and text[written[k - 1].full_end : t.start] in ("-", "–"))
    ]  # "Co-op" is written with a small "op"
    school_word = form.words[len(core)] if len(core) < len(form.words) else None
    if extended:
        school_word = school_word or tokens[j + 1].norm
    if guard == INITIALS:
        for a, b in zip(written, written[1:], strict=False):
            if len(a.raw) == 1 and len(b.raw) == 1 and "." not in text[a.full_end : b.start]:
                return False  # "C D" without full stops is not initials
        before_token = tokens[i - 1] if before is not None else None
        after_token = tokens[last + 1] if after is not None else None
        return not _shouting(before_token) and not _shouting(after_token)
    if guard == PROPER:
        if school_word is not None:
            return True
        if core[-1] in _STREET_WORDS and before in _STREET_PREPOSITIONS:
            return False  # "lives on Park Road" is the street
        return all(_capitalised(t.raw) for t in content) and after not in _CLASS_WORDS
    if guard in (CONTEXT, TOWN):
        if not content or not all(
            _titlecase(t.raw) or (school_word and _capitalised(t.raw)) for t in content
        ):
            return False
        if after in _CLASS_WORDS or (before in _DETERMINERS and form.words[0] not in _DETERMINERS):
            return False
        if school_word is not None:
            return (core[-1], school_word) not in _ORDINARY_COMPOUNDS
        class_like = guard == TOWN or any(w in _CLASS_NAME_WORDS for w in core)
        if after in _ROLE_WORDS:
            if tokens[j].possessive:
                return after in _POSSESSIVE_ONLY_ROLES or not class_like
            return not class_like and after not in {"family", "send"}
        if not (chained or before in _CUE_WORDS):
            return False
        # "at Oak" may be the class: a school only if the text also uses it as one ("Oak's SENCO")
        return "pending" if class_like else True
    if guard in (PERSON_WORD, PLACE_WORD):
        if not all(_titlecase(t.raw) for t in written):
            return False
        if after in _CLASS_WORDS or after in _PLACE_NOUNS or before in _DETERMINERS:
            return False
        if form.words[0] in _DATE_WORDS and (
            after in _DATE_AFTER
            or before in _DATE_BEFORE
            or (after or "x")[:1].isdigit()
            or (before or "x")[:1].isdigit()
        ):
            return False  # "in May", "May half term", "3 May"
        if _sentence_start(tokens, i, text):
            if guard == PERSON_WORD and tokens[j].possessive:
                return True  # "Jack's cousins..." is a name even at the start of a sentence
            return "pending" if guard == PERSON_WORD else False
        return True
    return False


def _choose(found: list[_Candidate]) -> list[_Candidate]:
    """The longest matches, then the most specific kind, none overlapping."""
    found.sort(key=lambda c: (-(c.end - c.start), c.rank, c.start))
    taken = bytearray(max((c.end for c in found), default=0))
    chosen = []
    for c in found:
        if any(taken[c.start : c.end]):
            continue
        taken[c.start : c.end] = b"\x01" * (c.end - c.start)
        chosen.append(c)
    chosen.sort(key=lambda c: c.start)
    return chosen


def _merge(chosen: list[_Candidate], text: str) -> list[Redaction]:
    """One token for neighbouring names of the same kind ("Claire Dyson Harriet" is not three)."""
    out: list[Redaction] = []
    for c in chosen:
        redaction = Redaction(c.start, c.end, c.form.kind)
        if out:
            previous = out[-1]
            gap = text[previous.end : c.start]
            if TOKENS[previous.kind] == redaction.token and gap and gap.strip() == "" and "\n\n" not in gap:
                out[-1] = Redaction(previous.start, c.end, previous.kind)
                continue
        out.append(redaction)
    return out


def redact(text: str, names: KnownNames) -> str:
    """The text with the known names replaced by tokens: `Redactor(names).redact(text)`."""
    return Redactor(names).redact(text)


# Anyone written with a title ("Mrs Patel", "Ms J. Okafor", "Dr. Rahman") is a person, known or not.
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?[ \t\n]+(?:[A-Z]\.?[ \t\n]*)*[A-Z][a-zA-Z'’-]+")


def redact_titled_names(text: str) -> str:
    """Replace every title followed by a name with `[staff member]`, for names the service was never told
    (a parent, a therapist, another school's teacher)."""
    return _TITLED.sub("[staff member]", text)
