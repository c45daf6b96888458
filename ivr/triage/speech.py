"""What the caller said, understood: a Baltimore call type and SMART flags from a few words.

The caller answers "Tell us in a few words why you are calling" and Twilio's speech-to-text gives
us text: lower-case or Title Case, mostly unpunctuated, numbers as digits or words, fillers ("um",
"eh"), slang ("somebody jacked my car", "me volaron la bici"), English or Spanish or both.

How (plain Python, no model, no network; a third of a millisecond a sentence):

1. Normalise: lower-case, accents and apostrophes dropped ("está" -> "esta", "didn't" ->
   "didnt"), punctuation kept only as a clause break, fillers removed, and long words that
   speech-to-text or a caller garbles snapped to the lexicon's spelling with ``rapidfuzz`` (only
   words of six letters or more, only at 90% similarity or better: "unconcious" ->
   "unconscious", "bleedin" -> "bleeding").
2. Match a bilingual lexicon of cues (regular expressions over words). A cue sets flags, names a
   call type, or both, and carries tags that later steps read ("accident", "larceny", "leave",
   ...). Some cues are more specific than the words inside them and suppress them: "burglar
   alarm" is an alarm, not a burglary; "threatening to kill me" is a threat, not a homicide; "my
   gun was stolen" is a firearm, not a weapon in the caller's face.
3. Negation, NegEx-style: a trigger ("no", "not", "didn't", "nobody", "no one", "without",
   "nadie", "sin", "ni", ...) negates the first cue after it when only auxiliaries, articles and
   the like stand between ("nobody got hurt", "he didn't have a gun", "no tenía arma"), and any
   cue joined to that one by "or"/"ni". It stops at a clause break ("but", "and", "pero", "y",
   "because", punctuation), at a new subject ("no one is hurt he has a knife") and at any other
   word ("no puede levantarse, está sangrando": still bleeding). Triggers inside a cue do not
   count ("not breathing", "won't leave", "no respira" are cues); pseudo-negations never negate
   ("not sure if", "no sé si", "won't stop", "no deja de"): unsure counts as yes. "No" as an
   answer ("no he has a gun") is not a trigger. A departure ("they left", "they're gone", "ya se
   fue") cancels a presence heard only loosely ("a man is at my door"), never "still here".
4. Decide: flags from the cues left; who did it ("my neighbor stole", "my husband hit me") gives
   known_suspect and, for family or partners with violence, domestic; then the call type is the
   most serious one heard (PRIORITY), with a few combinations (theft + violence or a weapon is a
   ROBBERY, a crash + an injury is AUTO ACC/INJURY, a drunk driver with no crash is DWI, a person
   present and nothing else is SUSPICIOUS PERS).

An emergency must never be missed: when unsure the lexicon flags ("not sure if he had a gun" is a
weapon). ``tests/triage_utterances.yaml`` is the labelled set; ``bench/triage_eval.py`` scores it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from ivr.triage.rules import EMERGENCY_FLAGS, FLAGS

__all__ = ["PRIORITY", "Understanding", "red_flags", "understand"]

LANGUAGES = ("en", "es")
#: Longest text looked at; a caller's "few words" are far shorter.
MAX_CHARS = 1000


@dataclass(frozen=True)
class Understanding:
    """What a caller's words say: the call type, the flags, and the phrases that decided it."""

    call_type: str | None
    flags: frozenset[str]
    language: str
    evidence: tuple[str, ...]
    #: The caller asked to report on the web ("can I do the report online", "por internet").
    prefers_online: bool = False


# ------------------------------------------------------------------------------ vocabulary

#: Call types, most serious first: when several are heard, the first one wins.
PRIORITY = (
    "SHOOTING",
    "HOMICIDE",
    "RAPE",
    "ROBBERY",
    "ARSON",
    "AGG. ASSAULT",
    "AUTO ACC/INJURY",
    "ASSAULT BY THREAT",
    "FAMILY DISTURB",
    "SEX OFFENSE",
    "COMMON ASSAULT",
    "MISSING PERSON",
    "BURGLARY",
    "DWI",
    "HIT AND RUN",
    "AUTO ACCIDENT",
    "HOLDUP ALARM",
    "PANIC ALARM",
    "SILENT ALARM",
    "AUDIBLE ALARM",
    "BEHAVIOR CRISIS",
    "CHECK WELL BEING",
    "AUTO THEFT",
    "LARCENY F/AUTO",
    "SHOPLIFTING",
    "LARCENY",
    "DESTRUCT PROPTY",
    "LOST PROPERTY",
    "ABANDONED VEH",
    "PRKG COMPLAINT",
    "LOUD MUSIC",
    "CIVIL MATTER",
    "SUSPICIOUS PERS",
    "DISORDERLY",
)
_RANK = {name: i for i, name in enumerate(PRIORITY)}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _alt(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


VEH = _alt(
    "car", "cars", "truck", "trucks", "van", "suv", "vehicle", "vehicles", "whip", "ride",
    "jeep", "motorcycle", "motorbike", "moped", "minivan", "pickup", "pick up", "sedan",
    "kia", "hyundai", "honda", "toyota", "nissan", "ford", "chevy", "dodge", "bmw", "lexus",
    "acura", "camry", "accord", "altima", "civic", "elantra", "sonata", "optima", "charger",
    "carro", "carros", "coche", "coches", "auto", "autos", "automovil", "camioneta", "troca",
    "vehiculo", "moto", "motocicleta", "nave",
)  # fmt: skip
NOT_WHOLE_VEHICLE = (
    r"(?!\s+(?:keys?|radio|stereo|windows?|windshield|battery|parts?|tires?|rims?|wheels?|seats?"
    r"|charger|registration|title|plates?|tags?|door|mirror|llaves?|placas?|llantas?))"
)
STEAL = _alt(
    "stole", "stolen", "steal", "steals", "stealing", "stealed", "took", "taken", "jacked",
    "jack", "boosted", "swiped", "lifted", "robaron", "robo", "robando", "se robaron",
    "se robo", "se llevaron", "se llevo", "llevaron", "volaron", "bajaron", "sacaron", "saco",
)  # fmt: skip
DWELLING = _alt(
    "house", "home", "apartment", "apt", "place", "garage", "shed", "basement", "rowhouse",
    "rowhome", "condo", "store", "shop", "business", "office", "church", "restaurant",
    "building", "front door", "back door", "door",
)  # fmt: skip
DWELLING_ES = _alt(
    "casa", "apartamento", "departamento", "garaje", "cochera", "negocio", "tienda", "oficina",
    "cuarto", "sotano", "edificio", "bodega",
)  # fmt: skip
GUN = _alt(
    "gun", "guns", "handgun", "handguns", "pistol", "pistols", "firearm", "firearms", "rifle",
    "rifles", "shotgun", "shotguns", "revolver", "glock", "9mm", "9 mm", "nine millimeter",
    "ar 15", "ar15", "uzi", "gunpoint", "pistola", "pistolas", "escopeta", "arma de fuego",
    "armas de fuego", "cuete", "fusca",
)  # fmt: skip
BLADE = _alt(
    "knife", "knives", "knifepoint", "machete", "machetes", "blade", "box cutter", "boxcutter",
    "razor", "switchblade", "bat", "baseball bat", "brass knuckles", "taser", "weapon",
    "weapons", "armed", "strapped", "cuchillo", "cuchillos", "navaja", "navajas", "bate",
    "filero", "punal", "arma", "armas", "armado", "armada", "armados", "armadas",
)  # fmt: skip
PARTNER = _alt(
    "husband", "wife", "boyfriend", "girlfriend", "partner", "spouse", "ex", "ex husband",
    "ex wife", "ex boyfriend", "ex girlfriend", "baby father", "baby daddy", "baby mother",
    "baby mama", "babys father", "babys mother", "baby dad", "sons father", "sons mother",
    "daughters father", "daughters mother", "kids father", "kids mother", "childs father",
    "childs mother", "childrens father", "childrens mother", "fiance", "fiancee", "esposo",
    "esposa",
    "marido", "novio", "novia", "pareja", "expareja", "ex esposo", "ex esposa", "ex novio",
    "ex novia", "exnovio", "exnovia", "exesposo", "exesposa", "exmarido",
)  # fmt: skip
FAMILY = _alt(
    "son", "daughter", "mother", "mom", "father", "dad", "brother", "sister", "stepfather",
    "stepdad", "stepmother", "stepmom", "stepson", "stepdaughter", "uncle", "aunt", "grandson",
    "granddaughter", "nephew", "niece", "cousin", "hijo", "hija", "madre", "mama", "padre",
    "papa", "hermano", "hermana", "padrastro", "madrastra", "tio", "tia", "primo", "prima",
    "nieto", "nieta", "sobrino", "sobrina", "cunado", "cunada", "suegro", "suegra",
)  # fmt: skip
ACQUAINTANCE = _alt(
    "neighbor", "neighbors", "neighbour", "roommate", "room mate", "roomie", "landlord",
    "tenant", "coworker", "co worker", "boss", "friend", "vecino", "vecina", "vecinos",
    "companero de cuarto", "companera de cuarto", "casero", "casera", "jefe", "amigo", "amiga",
    "inquilino",
)  # fmt: skip
PERSON = _alt(
    "son", "daughter", "child", "kid", "kids", "children", "boy", "girl", "baby", "toddler",
    "teen", "teenager", "mother", "mom", "father", "dad", "grandmother", "grandma",
    "grandfather", "grandpa", "husband", "wife", "brother", "sister", "friend", "nephew",
    "niece", "grandson", "granddaughter", "uncle", "aunt", "cousin", "boyfriend", "girlfriend",
    "stepson", "stepdaughter", r"\w+ year old(?: \w+)?",
)  # fmt: skip
PERSON_ES = _alt(
    "hijo", "hija", "hijos", "hijas", "nino", "nina", "ninos", "ninas", "bebe", "nene", "nena",
    "madre", "mama", "padre", "papa", "abuelo", "abuela", "esposo", "esposa", "marido",
    "hermano", "hermana", "sobrino", "sobrina", "nieto", "nieta", "tio", "tia", "primo",
    "prima", "amigo", "amiga", "novio", "novia", "muchacho", "muchacha",
)  # fmt: skip
OBJ = r"(?:me|him|her|them|us|someone|somebody|my \w+|a (?:man|woman|guy|kid|lady|boy|girl))"


@dataclass(frozen=True)
class _Cue:
    name: str
    regex: re.Pattern[str]
    flags: frozenset[str]
    call_type: str | None
    tags: frozenset[str]
    suppresses: frozenset[str]
    negatable: bool


_CUES: list[_Cue] = []


def _cue(
    name: str,
    pattern: str,
    *,
    flags: Iterable[str] = (),
    call_type: str | None = None,
    tags: Iterable[str] = (),
    suppresses: Iterable[str] = (),
    negatable: bool = True,
) -> None:
    flag_set = frozenset(flags)
    assert flag_set <= FLAGS, flag_set - FLAGS
    tag_set = frozenset(tags) | flag_set | ({call_type} if call_type else set()) | {name}
    regex = re.compile(rf"(?<![\w|])(?:{pattern})(?![\w])")
    _CUES.append(_Cue(name, regex, flag_set, call_type, tag_set, frozenset(suppresses), negatable))


# --- in progress / present ----------------------------------------------------------------

_cue(
    "now",
    _alt(
        "right now", "happening now", "as we speak", "in progress", "at this moment",
        "right this minute", "ahora mismo", "ahorita", "en este momento", "en estos momentos",
        "esta pasando", "estan pasando", "esta ocurriendo", "en progreso", "en curso",
    ),
    flags={"happening_now"},
    tags={"now"},
)  # fmt: skip
_cue(
    "in progress",
    _alt(
        r"breaking (?:in|into|in to)",
        "stealing",
        "robbing",
        "fighting",
        rf"beating (?:on |up )?(?:{OBJ}|each other)",
        rf"hitting (?:{OBJ}|each other)",
        "punching",
        rf"kicking (?:{OBJ}|in (?:my|the) door|down (?:my|the) door)",
        "attacking",
        "stabbing",
        "shooting",
        rf"choking {OBJ}",
        "strangling",
        "pointing",
        r"trying to (?:break|get in|get into|steal|rob|open|pry|kick|take|force)",
        r"going through (?:my|the|our) \w+",
        r"breaking (?:my|the|our) (?:window|windows|door)",
        r"banging on (?:my|the|our) (?:door|window)",
        r"being (?:robbed|attacked|beaten|shot|stabbed|assaulted)",
    ),
    flags={"happening_now"},
    tags={"progressive"},
)
_cue(
    "en curso",
    r"(?:esta|estan|estamos|anda|andan)\s+(?:\w+\s+)?"
    + _alt(
        r"robando\w*", r"peleando\w*", r"golpeando\w*", r"pegando\w*", r"disparando\w*",
        r"atacando\w*", "entrando", r"metiendo\w*", r"rompiendo\w*", r"llevando\w*",
        r"forzando\w*", r"apunalando\w*", r"asaltando\w*", r"quemando\w*", r"apuntando\w*",
        r"tratando de (?:entrar|abrir|forzar|meterse|romper|robar)",
    ),
    flags={"happening_now"},
    tags={"progressive"},
)  # fmt: skip
_cue(
    "gunfire heard now",
    r"(?:hear|hearing|oigo|escucho|se oyen|se escuchan)\s+"
    r"(?:gunshots|gun shots|shots|shooting|gunfire|disparos|balazos|tiros|balacera)",
    flags={"happening_now"},
)
_cue(
    "on fire",
    r"(?:is|are|s|its|theres|there is)\s+(?:on fire|burning|a fire)|on fire right now"
    r"|se esta quemando|se estan quemando|hay (?:un )?(?:incendio|fuego)|en llamas",
    flags={"happening_now"},
)
_cue(
    "intruder inside",
    r"(?:someone|somebody|some one|some body|a man|a guy|a woman|a person|people|an intruder|"
    r"intruder|a stranger|strangers|theres someone|there is someone|alguien|un hombre|"
    r"una persona|un extrano|hay alguien|hay un hombre)\s+(?:is\s+|s\s+|are\s+|esta\s+|estan\s+)?"
    r"(?:in|inside|en|dentro de)\s+(?:my|our|mi|nuestra)\s+"
    r"(?:house|home|apartment|basement|kitchen|bedroom|bathroom|living room|casa|apartamento"
    r"|sotano|cocina|recamara|sala|bano)",
    flags={"happening_now", "suspect_present"},
    call_type="BURGLARY",
    tags={"presence_strong"},
)
_cue(
    "still here",
    r"still (?:here|there|in|inside|at|outside|around|nearby|hiding|next door|in the area"
    r"|on (?:my|the) (?:property|porch|block|street))"
    r"|(?:wont|will not|refuses to|doesnt want to|does not want to) (?:leave|go away)"
    r"|hiding (?:in|inside|under|behind|outside)"
    r"|(?:sigue|siguen|todavia (?:esta|estan|anda|andan|sigue)|aun (?:esta|estan))\s+"
    r"(?:aqui|ahi|alli|alla|afuera|adentro|en|por|cerca|escondid\w+)"
    r"|no se (?:quiere|quieren) ir|no se va|no se van|no quiere irse|se niega a irse"
    r"|esta escondid\w+"
    r"|(?:hay alguien|alguien|un hombre|una persona|un tipo|unos tipos|hay un hombre)\s+"
    r"(?:esta\s+|estan\s+)?(?:en|dentro de|afuera de) (?:mi|el|nuestro|nuestra) "
    r"(?:patio|jardin|garaje|cochera|porche|techo|azotea|cuarto|sotano)",
    flags={"suspect_present"},
    tags={"presence_strong"},
)
_cue(
    "at the door",
    r"(?:is|are|s|re|hes|shes|theyre|theres|there is|there are|someones|somebodys)\s+"
    r"(?:\w+\s+){0,4}?(?:outside|inside|in|at|on|by|in front of|behind)\s+(?:my|our|the)\s+"
    r"(?:front |back )?(?:door|house|home|apartment|window|windows|yard|backyard|porch|basement|"
    r"garage|room|bedroom|building|property)"
    r"|(?:esta|estan|hay\s+(?:un|una|unos|unas|alguien)(?:\s+\w+)?)\s+(?:\w+\s+){0,3}?"
    r"(?:afuera|adentro|dentro|frente|escondid\w+)(?:\s+(?:de|a))?\s+(?:mi|la|nuestra|el)\s+"
    r"(?:puerta|casa|apartamento|patio|ventana|cuarto|edificio|garaje)",
    flags={"suspect_present"},
    tags={"presence_weak"},
)
_cue(
    "gone",
    _alt(
        "left", "is gone", "are gone", "was gone", "were gone", "hes gone", "shes gone",
        "theyre gone", "theyve gone", "long gone", "ran off", "ran away", "run off", "took off",
        "drove off", "drove away", "sped off", "got away", "fled", "escaped", "rode off",
        "se fue", "se fueron", "ya no esta", "ya no estan", "huyo", "huyeron", "escapo",
        "escaparon", "se escapo", "se escaparon", "salio corriendo", "salieron corriendo",
        "se dio a la fuga", "se dieron a la fuga",
    ),
    tags={"departure", "leave"},
    negatable=False,
)  # fmt: skip
_cue(
    "drove on",
    _alt(
        "didnt stop", "did not stop", "kept going", "kept driving", "without leaving a note",
        "didnt leave a note", "no note", "no se detuvo", "no paro", "sin detenerse", "sin parar",
        "no dejo nota",
    ),
    tags={"leave"},
    negatable=False,
)  # fmt: skip
_cue(
    "watching",
    r"(?:watching|following|stalking|staring at) (?:me|us|my|our|the) ?(?:house|home|door"
    r"|apartment|place|building|kids|car)?|(?:sitting|parked|waiting|standing) (?:\w+ ){0,3}?"
    r"outside (?:my|our|the)? ?(?:house|home|door|apartment|place|building)?"
    r"|(?:me|nos) (?:sigue|siguen|esta siguiendo|estan siguiendo|persigue|persiguen)"
    r"|(?:esta|estan) vigilando (?:mi|la|nuestra) casa",
    flags={"suspect_present"},
    tags={"presence_weak", "progressive"},
)
_cue("over", r"its over|it is over|all over now|ya termino|ya paso", tags={"over"})

# --- hurt, medical ------------------------------------------------------------------------

_cue(
    "hurt",
    _alt(
        "hurt", "hurting", "hurts", "injured", "injury", "injuries", "bleeding", "bleed",
        "bleeds", "bloody", "blood", "wounded", "wound", "wounds",
        rf"cut (?:{OBJ}|up|open)(?! off)",
        r"got cut(?! off| out| down)", r"broken (?:arm|leg|nose|bone|bones|jaw|ribs|wrist)",
        r"broke (?:my|his|her) (?:arm|leg|nose|jaw|wrist)", "in pain", "concussion",
        r"herid\w+", r"lastimad\w+", r"lesionad\w+", r"sangr\w+", r"fractura\w*",
        r"se rompio (?:el|la) (?:brazo|pierna|nariz)", r"(?:me|lo|la|le) lastimo",
        r"(?:hit|hurt|cut|busted) (?:his|her|my|their) head",
        r"se (?:golpeo|pego) (?:en )?la cabeza",
    ),
    flags={"injury"},
)  # fmt: skip
_cue(
    "stabbed",
    r"stabbed|apunalad[oa]s?|apunalaron|acuchillad[oa]s?|acuchillaron|navajazo",
    flags={"injury", "weapon", "violent"},
)
_cue(
    "stabbing",
    r"stab|stabbing|stabs|apunal\w+|acuchill\w+",
    flags={"weapon", "violent"},
    tags={"stabbed"},
)
_cue(
    "cut someone",
    r"cut (?:me|him|her|them|us)(?! off| out)|(?:me|lo|la|le) cort(?:o|aron)",
    flags={"injury", "weapon", "violent"},
    tags={"stabbed"},
)
_cue(
    "hit their head",
    r"se (?:golpeo|pego|dio un golpe en) (?:en )?la cabeza|se cayo y se golpeo",
    flags={"injury"},
    suppresses={"violent"},
)
_cue(
    "held against their will",
    r"(?:wont|will not|doesnt|does not|didnt) let (?:me|us|her|him) (?:leave|go|out)"
    r"|locked (?:me|us|her|him) (?:in|inside|out)|no me (?:deja|dejaba) salir|me encerro",
    tags={"offense", "restraint"},
)
_cue(
    "medical",
    _alt(
        "unconscious", "unresponsive", "not breathing", "isnt breathing", "stopped breathing",
        "cant breathe", "can not breathe", "cannot breathe", "trouble breathing",
        "hard time breathing", "not responding", "wont wake up", "will not wake up",
        "not waking up", r"cant wake (?:him|her|them) up", "passed out", r"overdos\w*",
        "oded", "od", "took too many pills", r"seizures?", "seizing", "heart attack",
        "stroke", r"chest pains?", "choking on", "ambulance", "paramedics", "fainted",
        "collapsed", r"inconsciente\w*", r"desmayad\w+", "se desmayo", "no respira",
        "no puede respirar", "dejo de respirar", "no esta respirando", "no responde",
        "no reacciona", "no despierta", "no se despierta", "sobredosis", r"convulsion\w*",
        "convulsionando", "ataque al corazon", "ataque cardiaco", "infarto", "dolor de pecho",
        "ambulancia", "paramedicos", "se esta muriendo", "se esta ahogando",
        r"(?:is not|isnt|s not|not|wont|will not) moving", "no se mueve",
        r"tirad[oa] en (?:el|la) (?:suelo|piso|calle|banqueta|acera)",
        r"(?:lying|laying) (?:on|in) the (?:ground|floor|street|sidewalk)",
        r"(?:cant|can not|cannot) (?:get up|move|talk|stand up)",
        r"no (?:se )?puede (?:levantarse|levantar|mover\w*|hablar|pararse)",
    ),
    flags={"medical"},
    suppresses={"violent"},
)  # fmt: skip

# --- weapons, guns, shootings -------------------------------------------------------------

_cue("gun", GUN, flags={"weapon", "firearm"}, tags={"weapon_word"})
_cue("weapon", BLADE, flags={"weapon"}, tags={"weapon_word"})
_cue(
    "a gun as property",
    rf"(?:my|our|mi|mis|nuestra|nuestro)\s+(?:\w+\s+)?{GUN}"
    rf"|(?:found|find|turn in|turning in|turned in|encontre|encontramos|entregar)\s+"
    rf"(?:a|an|the|some|un|una|el|la)?\s*{GUN}",
    flags={"firearm"},
    suppresses={"weapon_word"},
)
_cue(
    "a blade as property",
    r"(?:my|our|mi|mis|nuestra|nuestro)\s+(?:\w+\s+)?(?:knife|knives|machete|bat|baseball bat"
    r"|taser|box cutter|razor|cuchillo|cuchillos|navaja|navajas|bate)"
    r"|knife set|set of knives|juego de cuchillos",
    suppresses={"weapon_word"},
)
_cue(
    "not an incident",
    r"(?:shooting|gun|rifle) range|alarm clock|despertador|hurt (?:my|his|her|their) feelings",
    suppresses={"weapon_word", "SHOOTING", "AUDIBLE ALARM", "hurt", "progressive"},
)
_cue(
    "shooting",
    _alt(
        "shooting", "shootout", "shots fired", "shots", "gunshots", "gun shots", "gunfire",
        "shot at", "disparos", "disparando", "dispararon", "disparo", "balacera", "balazo",
        "balazos", "tiroteo", "tiros",
    ),
    flags={"weapon", "firearm"},
    call_type="SHOOTING",
)  # fmt: skip
_cue(
    "shot someone",
    rf"(?:got|been|was|were|is|get) shot|shot {OBJ}|le dispararon|dispararon a|baleado|baleada"
    r"|balearon|le dieron un balazo",
    flags={"injury", "weapon", "firearm", "violent"},
    call_type="SHOOTING",
)
_cue(
    "threat",
    r"threat\w*(?:\s+(?:me|us|him|her|them|my \w+))?"
    r"(?:\s+(?:to|that he would|that she would|he would|she would))?"
    r"(?:\s+(?:kill|shoot|stab|hurt|beat|burn|harm|cut|get)"
    r"(?:\s+(?:me|us|him|her|them|my \w+|up))?)?"
    r"|(?:said|says|saying|told me|keeps saying) (?:that )?(?:he|she|they|hed|shed|theyd|hell|shell"
    r"|theyll)(?:\s+(?:would|will|was going to|is going to|were going to|are going to|gonna|d"
    r"|is gonna))?\s+(?:kill|shoot|stab|hurt|beat|burn)"
    r"(?:\s+(?:me|us|him|her|them|my \w+))?"
    r"|(?:going to|gonna|wants to|about to|is going to)\s+(?:kill|shoot|stab|hurt|beat)\s+"
    r"(?:me|us|my \w+|him|her|them|everyone|everybody)"
    r"|(?:pointing|pointed) (?:a|the|his|her|their|it)(?:\s+\w+)?\s+at"
    r"|(?:pulled|pulling|pull|drew|flashed) (?:a|the|his|her|their|out a|out his) \w+ (?:on|at)"
    r"|(?:me|le|nos|les) (?:saco|sacaron|mostro|enseno) (?:un|una|su) \w+"
    r"|(?:(?:me|nos|lo|la|le|les)\s+)?(?:esta\s+|estan\s+)?amenaz\w+"
    r"(?:\s+(?:con|de)\s+(?:mat\w+|dispar\w+|golpe\w+|peg\w+|lastim\w+|quem\w+|muerte|apunal\w+))?"
    r"|(?:me|nos|te|lo|la) (?:va|van|iba|iban) a (?:matar|disparar|golpear|pegar|apunalar|lastimar)"
    r"\w*|(?:me|nos) (?:quiere|quieren) matar|dijo que (?:me|nos|lo|la) (?:iba|va) a "
    r"(?:matar|disparar|golpear|pegar)|(?:me|nos|le|les) (?:esta |estan )?apuntando",
    flags={"threat"},
    tags={"threat_other"},
    suppresses={"violent", "injury", "homicide", "SHOOTING", "shot someone", "stabbed"},
)
_cue(
    "suicidal",
    r"(?:kill|hurt|harm|shoot|cut|hang)\s+(?:himself|herself|myself|themselves|themself)"
    r"|suicid\w*|(?:end|take) (?:his|her|my|their) (?:own )?life|suicidar\w*|se quiere matar"
    r"|(?:wants|want|wanted|going) to die|doesnt want to live|se (?:quiere|queria) morir"
    r"|quiere morirse|end it all|acabar con todo|ya no quiere vivir"
    r"|no quiere vivir"
    r"|quiere matarse|matarse|quitarse la vida|hacerse dano|lastimarse|cortarse",
    flags={"threat"},
    call_type="BEHAVIOR CRISIS",
    suppresses={"threat_other", "violent", "homicide", "injury", "hurt"},
)

# --- impaired drivers, crashes ------------------------------------------------------------

_cue(
    "impaired driver",
    _alt(
        r"drunk (?:driver|driving)", r"driving (?:drunk|while drunk|under the influence|impaired"
        r"|intoxicated|high|wasted)", "impaired driver", "dui", "dwi", "d u i", "d w i",
        "swerving", r"weaving (?:all over|in and out)", r"conductor (?:borracho|ebrio|drogado)",
        r"manejando (?:borracho|ebrio|drogado)", r"borracho (?:manejando|al volante)",
        "ebrio al volante", r"maneja (?:borracho|ebrio)", r"zigzag\w*",
    ),
    flags={"impaired_driver"},
)  # fmt: skip
_cue(
    "drunk",
    r"drunk|drunken|wasted|intoxicated|borracho|borracha|borrachos|ebrio|ebria|drogado",
    tags={"drunk"},
)
_cue(
    "crash",
    _alt(
        "accident", "crash", "crashed", "wreck", "wrecked", "fender bender", "rear ended",
        "rear end", "rearended", "collision", "collided", "sideswiped", "side swiped",
        "t boned",
        rf"{VEH}\s+(?:\w+\s+)?(?:hit|ran into|crashed into|backed into|struck|smashed into"
        r"|plowed into|rammed) (?:my|our|the|a) \w+", "backed into",
        rf"(?:{VEH}|bus|camion|autobus|taxi|uber)\s+(?:\w+\s+)?(?:hit|ran into|crashed into"
        r"|backed into|struck|clipped|sideswiped|rear ended|dinged) (?:me|us|my|our|the|a)",
        rf"(?:{VEH}|bus|camion|autobus|taxi)\s+(?:me|le|nos|la|lo)\s+(?:pego|pegaron|choco"
        r"|chocaron|golpeo|dio)",
        rf"(?:clipped|dinged|dented|scraped|bumped|tapped) (?:my|our|the) (?:\w+ )?(?:{VEH}"
        r"|mirror|bumper|fender|side)", "bumped into", rf"ran into (?:my|the|a|another) {VEH}",
        rf"hit (?:my|the|a|another|our) (?:parked )?{VEH}",
        r"hit (?:my|the) (?:bumper|side|mirror|fender)", "choque", "choques", "chocaron",
        "choco", "chocamos", "accidente", "accidentes", "colision",
        r"me (?:pegaron|dieron) por detras", rf"pego (?:a |al |contra )?(?:mi |el |la )?{VEH}",
    ),
    call_type="AUTO ACCIDENT",
    tags={"accident"},
    suppresses={"violent"},
)  # fmt: skip
_cue(
    "hit and run",
    r"hit and run|hit n run|choque y fuga",
    call_type="HIT AND RUN",
    tags={"accident"},
    suppresses={"violent"},
)
_cue(
    "struck by a car",
    rf"{VEH}\s+(?:\w+\s+)?(?:hit|struck|ran over|run over|knocked down)\s+"
    rf"(?:me|him|her|them|us|my \w+|a (?:kid|child|man|woman|pedestrian|person|lady|guy|boy|girl"
    r"|biker|cyclist))"
    rf"|(?:hit|struck|run over|ran over|knocked down) by (?:a|an|the) (?:{VEH}|driver)"
    r"|atropell\w+",
    flags={"injury"},
    call_type="AUTO ACC/INJURY",
    tags={"accident"},
    suppresses={"violent"},
)

# --- violence, family, sexual, missing, known ---------------------------------------------

_cue(
    "violence",
    _alt(
        r"assault(?! rifle)", "assaulted", "assaulting", "assaults", "attack", "attacked",
        "attacking", "attacks", "punch", "punched", "punching",
        rf"beat (?:{OBJ}|up|him up|her up|me up|them up)", rf"beating (?:{OBJ}|up|on)",
        "beat up", "beaten", rf"jumped {OBJ}", "got jumped", rf"hit {OBJ}", rf"hitting {OBJ}",
        rf"kick(?:ed|ing)? {OBJ}",
        rf"knock(?:ed|ing)? {OBJ} (?:down|over|out)", r"slap\w*", "choked", rf"choking {OBJ}",
        r"strangl\w*",
        r"push(?:ed|ing)? (?:me|him|her|us)", r"shov\w*", "fight", "fights", "fighting",
        "fought", "brawl", "violent", "violence", r"abus(?:ed|ing) (?:me|him|her|us)",
        r"golpe\w+", "golpiza", r"(?:me|le|la|lo|nos|les) (?:pego|pegaron|pegan|pega)",
        r"pegando\w*", r"agredi\w+", "agresion", r"atac\w+", "pelea", "peleas", "peleando",
        "se pelearon", r"empuj\w+", r"cachetad\w+", r"bofetad\w+", r"patad\w+",
        r"estrangul\w+", r"ahorc\w+", "violencia", "violento", "violenta", r"maltrat\w+",
    ),
    flags={"violent"},
    tags={"violent"},
)  # fmt: skip
_cue(
    "not violence",
    r"(?:heart|panic|anxiety) attack|ataque (?:de nervios|de panico|de ansiedad)"
    r"|fight (?:fire|back tears)",
    suppresses={"violent"},
)
_cue(
    "domestic",
    r"domestic\w*|domestica|domestico|violencia familiar|family (?:fight|dispute|violence)",
    flags={"domestic"},
)
_cue(
    "argument",
    r"argu\w+|yelling at each other|screaming at each other|disput\w+|discut\w+|discusion"
    r"|pleito",
    tags={"dispute"},
)
_cue(
    "rape",
    r"rape|raped|raping|rapist|(?:me|la|lo|nos) violaron|fue violad\w+|violad[oa]s?|violacion"
    r"|(?:me|la|lo) violo",
    flags={"sexual"},
    call_type="RAPE",
)
_cue(
    "sexual",
    r"sexual(?:ly)? (?:assault\w*|abus\w*|harass\w*|attack\w*)|sexual\w*|molest\w*|grop\w+"
    r"|fondl\w+|touched (?:me|her|him|them|my (?:son|daughter|kid|child|kids))"
    r"(?: inappropriately| sexually)?|expos(?:ed|ing) (?:himself|herself|themselves)"
    r"|flash(?:ed|ing) (?:me|us|my \w+|her|kids|children)|indecent exposure|masturbat\w+"
    r"|abuso sexual|acoso sexual|manose\w+|(?:me|la|lo) toco|toco a mi \w+|se exhibio"
    r"|exhibicionis\w+|mostro sus partes",
    flags={"sexual"},
    call_type="SEX OFFENSE",
    suppresses={"violent", "DISORDERLY"},
)
_cue(
    "missing person",
    rf"(?:my|our)\s+(?:\w+\s+){{0,3}}?{PERSON}\s+(?:\w+\s+){{0,3}}?missin\w*"
    r"|missing (?:person|child|kid|persons)|persona desaparecida"
    rf"|{PERSON}\s+(?:\w+\s+){{0,2}}?(?:didnt|hasnt|havent|did not|has not|have not|never)\s+"
    r"(?:come|came|made it|returned|been|got)\s+(?:back|home)"
    rf"|{PERSON}\s+(?:\w+\s+){{0,2}}?(?:ran away|run away|runaway|wandered off)"
    rf"|(?:cant|can not|cannot|couldnt|could not)\s+find\s+(?:my\s+|our\s+)?(?:{PERSON}|him|her)"
    r"(?!\s+(?:phone|wallet|keys|bag|car|bike|purse|id))"
    rf"|lost (?:my|our) {PERSON}(?!\s+(?:phone|wallet|keys|bag|car|bike|purse|id))"
    rf"|(?:mi|mis|nuestro|nuestra|nuestros)\s+{PERSON_ES}\s+(?:\w+\s+){{0,3}}?"
    r"(?:no ha (?:regresado|vuelto|llegado)|no regreso|no volvio|no llego|se perdio"
    r"|se escapo de (?:la )?casa|se fue de (?:la )?casa|desaparec\w+|esta perdid\w+)"
    r"|(?:no encuentro|no encontramos|no puedo encontrar|perdi|se perdio|desaparecio"
    rf"|se desaparecio)\s+(?:a\s+)?(?:mi|mis|nuestro|nuestra)\s+{PERSON_ES}",
    flags={"missing_person"},
    call_type="MISSING PERSON",
)
_cue(
    "knows who",
    r"(?:know|knows|knew)\s+(?:who|the (?:guy|person|man|woman|kid|lady|girl|boy|people))"
    rf"|it was (?:my|our) (?:{PARTNER}|{FAMILY}|{ACQUAINTANCE})"
    r"|(?:se|sabemos|conozco|conocemos)\s+(?:quien|quienes|a la persona|al tipo|al que)"
    rf"|fue (?:mi|el|la) (?:{PARTNER}|{FAMILY}|{ACQUAINTANCE})"
    rf"|(?:by|from|por|de parte de) (?:my|our|mi|nuestro|nuestra) (?:{PARTNER}|{ACQUAINTANCE}"
    rf"|{FAMILY})",
    flags={"known_suspect"},
    tags={"agent"},
)
_cue(
    "left evidence",
    r"(?:dropped|left behind|left) (?:his|her|their) (?:wallet|phone|id|hat|jacket|bag|knife|"
    r"keys|backpack|shirt|shoe|glove)|fingerprints|huellas|dejo (?:su|sus) (?:cartera|telefono|"
    r"celular|gorra|chaqueta|mochila|cuchillo)",
    flags={"evidence_now"},
)

# --- property crimes ----------------------------------------------------------------------

_cue(
    "robbery",
    _alt(
        r"robbed (?:me|us|him|her|them|my (?:son|daughter|wife|husband|mother|mom|dad|father"
        r"|brother|sister|friend|kid|child))",
        r"(?:got|was|been|were|get|getting|being) robbed(?! (?:my|our) )",
        r"(?:rob|robbing) (?:me|us|him|her|them)",
        "robbery", "mugged", "mugging", r"held (?:me|us) up", r"hold (?:me|us) up",
        "held up at", r"stuck (?:me|us) up", "stick up", "stickup", "at gunpoint",
        "at knifepoint", r"carjack\w*", r"car jack\w*", r"(?:me|nos|lo|la|le) asaltaron",
        "asalto", "asaltaron", "asaltado", "asaltada", r"(?:me|nos) atracaron", "atraco",
        "a mano armada",
        r"(?:robbed|robbing|rob|held up|holding up) (?:the|a|my|our|this) (?:\w+ )?(?:store|shop"
        r"|bank|gas station|business|restaurant|bodega|carryout|pharmacy|market)",
    ),
    call_type="ROBBERY",
    tags={"offense"},
)  # fmt: skip
_cue(
    "theft",
    _alt(
        "stole", "stolen", "steal", "steals", "stealing", "stealed",
        r"took (?:my|our|his|her|the|a|an|it|them|everything|all|some|money|cash|stuff|things"
        r"|off with)", "taken", r"swiped (?:my|our|the|a)", "snatched",
        r"boosted (?:my|our|the|a)", r"jack(?:ed)? (?:my|our|the|a|me)",
        r"lifted (?:my|our)", "ganked", r"pinched (?:my|our)", "nabbed", "ripped off", "theft",
        "thief", "thieves", r"pickpocket\w*", "pick pocketed",
        r"grabbed (?:my|our) \w+", r"arrebat\w+", "larceny",
        r"porch pirates?", "robaron", "robo", "robaba", "roban", "robar", "robando",
        r"robad[oa]s?", "se robo", "se robaron", "me robo", "hurto", "hurtaron", "hurtado",
        r"ladron\w*", r"ratero\w*", "se llevaron", "se llevo", r"(?:me|le) quit(?:o|aron)",
        r"(?:me|le) bajaron", r"(?:me|le) volaron", "sacaron",
        r"saco (?:mi|mis|el|la|los|las)", r"carterista\w*",
    ),
    call_type="LARCENY",
    tags={"larceny", "offense"},
)  # fmt: skip
_cue(
    "property gone",
    r"(?:my|our|the|mi|el|la) (?:\w+ )?(?:bike|bicycle|package|packages|laptop|tools|generator"
    r"|grill|mower|scooter|tv|jewelry|stuff|things|bicicleta|bici|paquete|herramientas)"
    r"(?:\s+\w+){0,6}?\s+(?:is|was|were|are|its|s|ya no esta|ya no estan|no esta|desaparecio)"
    r"(?: \w+)? gone|(?:bike|bicycle|package|packages|bicicleta|bici|paquete) (?:\w+ )?"
    r"(?:desaparecio|ya no esta|no esta)",
    call_type="LARCENY",
    tags={"larceny"},
)
_cue(
    "vehicle stolen",
    rf"{STEAL}\s+(?:my|our|the|his|her|a|an|mi|el|la|su|me el|me la|me lo)?\s*(?:\w+\s+)?"
    rf"{VEH}{NOT_WHOLE_VEHICLE}"
    rf"|{VEH}\s+(?:\w+\s+){{0,2}}?(?:was|got|has been|have been|were|been|is|s|are)\s+"
    r"(?:\w+\s+(?:or|and)\s+)?(?:stolen|taken|jacked|boosted|gone|missing)"
    rf"|(?:stolen|robado|robada) {VEH}|{VEH} (?:robado|robada)|{VEH} (?:ya )?no esta",
    call_type="AUTO THEFT",
    tags={"offense"},
)
_cue(
    "from a vehicle",
    rf"{STEAL}\s+(?:\w+\s+){{0,8}}?(?:from|out of|off|off of|outta|inside|from inside|de|del"
    rf"|de adentro del|de adentro de|dentro de|dentro del)\s+(?:my|our|the|his|her|a|mi|el|la|su)?"
    rf"\s*{VEH}"
    rf"|(?:broke|broken|break|breaking|busted)\s+(?:in|into|in to)\s+"
    rf"(?:my|our|the|his|her|a|someones)\s+(?:\w+\s+)?{VEH}"
    rf"|{VEH}\s+(?:was|got|has been|were|been)\s+(?:broken into|broke into|broken in)"
    rf"|(?:went|going|gone|rummaged|rummaging|go) through (?:my|our|the) {VEH}"
    r"|(?:se metieron|entraron|se metio|entro|abrieron)\s+(?:a\s+|al\s+|en\s+)?"
    rf"(?:mi|el|la|su)?\s*{VEH}"
    rf"|{STEAL}\s+(?:\w+\s+){{0,3}}?(?:catalytic|converter|convertidor|catalizador|tires|rims"
    r"|wheels|hubcaps|license plates?|plates|tags|placas|llantas|rines|airbags?)"
    r"|catalytic converter|convertidor catalitico|catalizador"
    rf"|robbed (?:my|our|the) {VEH}"
    r"|(?:catalytic converter|converter|convertidor catalitico|catalizador|license plates?"
    r"|placas|tires|rims|llantas|rines)\s+(?:\w+\s+){0,3}?(?:stolen|taken|robad\w+)",
    call_type="LARCENY F/AUTO",
    suppresses={"burglary"},
    tags={"offense"},
)
_cue(
    "demand",
    r"(?:pidio|exigio|demanded|asked for|told me to give (?:him|her|them)|give me) "
    r"(?:el |mi |my |your |the |all |todo el )?(?:dinero|money|wallet|cartera|phone|celular"
    r"|cash|purse|bolsa|keys|llaves)",
    tags={"demand"},
)
_cue(
    "vehicle window",
    rf"{VEH}\s+(?:window|windows|windshield)"
    rf"|(?:window|windows|windshield|ventana|ventanas|vidrio)\s+(?:of|de|del)\s+"
    rf"(?:my|the|mi|la|el)?\s*{VEH}",
    tags={"vehicle_window"},
)
_cue(
    "break-in",
    r"(?:broke|broken|break|breaking|busted|kicked|forced|snuck)\s+(?:in to|into|in)"
    rf"(?!\s+(?:to\s+)?(?:my|our|the|his|her|a|someones)\s+(?:\w+\s+)?{VEH})"
    r"|burglar\w*|burgled"
    r"|(?:robbed|rob|ransacked)\s+(?:my|our|the)\s+(?:house|home|apartment|place|garage|shed"
    r"|basement|condo|rowhouse|rowhome)"
    rf"|(?:get|getting|got|came|come|climbed|climbing|snuck|sneaking)\s+(?:in|into|in to|inside)"
    rf"\s+(?:my|our|the)\s+{DWELLING}"
    r"|(?:broke|broken|cut|busted|pried|forced) (?:open )?(?:the|my|our) (?:lock|padlock|door)"
    r"|(?:rompieron|forzaron|quebraron|rompio|forzo|cortaron) (?:el|la) (?:candado|cerradura"
    r"|chapa|puerta)|tratando de (?:entrar|abrir (?:mi|la) puerta|meterse)"
    r"|(?:quiere|quieren) entrar a (?:mi|la) casa"
    rf"|{DWELLING}\s+(?:was|got|has been|were)\s+(?:broken into|burglarized|robbed|ransacked"
    r"|broke into)"
    r"|(?:entraron|entro|se metieron|se metio|entrando|meterse|metiendose|se estan metiendo)\s+"
    rf"(?:a|al|en)\s+(?:mi|la|nuestra|el|nuestro)\s+{DWELLING_ES}"
    r"|(?:robaron|robando|robo|asaltaron|saquearon)\s+(?:en\s+)?(?:mi|la|nuestra)\s+"
    r"(?:casa|apartamento|departamento|garaje|cochera)"
    r"|forzaron la puerta",
    call_type="BURGLARY",
    tags={"offense", "burglary"},
)
_cue(
    "shoplifting",
    r"shoplift\w*|shop lift\w*|without paying|didnt pay for|did not pay for"
    r"|(?:stole|took|steal|stealing) (?:\w+ ){0,4}?(?:from|out of) (?:my|our|the) (?:store|shop"
    r"|business|register|market|stand)"
    r"|sin pagar|(?:robo|robaron|se robo|se robaron|se llevo|se llevaron) (?:\w+ ){0,3}?"
    r"de (?:mi|la|nuestra) (?:tienda|negocio)",
    call_type="SHOPLIFTING",
    tags={"offense"},
)
_cue(
    "damage",
    _alt(
        r"vandal\w*", "keyed", rf"key(?:s|ed)? (?:my|our|the|his|her) (?:\w+ )?(?:{VEH}|door)",
        rf"scratch\w* (?:my|our|the) (?:\w+ )?{VEH}", r"slash\w*",
        r"flatten\w* (?:my|the|all) (?:\w+ )?tires", r"spray paint\w*", "graffiti", "grafiti",
        r"tagged (?:my|our|the)", r"damag\w*", r"destroy\w*",
        r"(?:broke|smashed|busted|shattered|cracked)\s+(?:\w+\s+){0,2}?(?:window|windows"
        r"|windshield|door|mirror|mirrors|fence|mailbox|lock|phone|tv|gate|headlights?"
        r"|taillights?|glass)",
        r"threw (?:a|an|some) \w+ (?:through|at) (?:my|the|our)", "egged", r"raya\w+", r"rayon\w*",
        "rallaron", "rayo", r"poncha\w+", r"reventaron (?:mis|las) llantas", "rompieron",
        "rompio", "quebraron", "quebro", "danaron", r"dano (?:mi|el|la)", "destruyeron",
        "destrozaron", r"pintaron (?:grafiti|mi|la|el)",
    ),
    call_type="DESTRUCT PROPTY",
    tags={"offense"},
)  # fmt: skip
_cue(
    "lost",
    _alt(
        "lost", "lose", "misplaced", "misplace", "cant find", "can not find", "cannot find",
        "couldnt find", "could not find", r"dropped (?:my|our)",
        r"left (?:my|our|a|the) (?:\w+\s+){1,2}?(?:on|in|at) (?:the|a|an|my|\w+)",
        r"(?:is|are|went|s) missing", "lost and found", "fell out of", "perdi", "perdio",
        r"perdid[oa]s?", "se me perdio", "se me perdieron", "se me cayo", "se me cayeron",
        r"extravi\w+", r"deje (?:mi|mis|el|la|los|las) \w+ en",
        r"no (?:la |lo |las |los )?encuentro",
    ),
    call_type="LOST PROPERTY",
)  # fmt: skip

# --- alarms -------------------------------------------------------------------------------

_NOT_CRIME = {"burglary", "ROBBERY", "robbery", "BURGLARY", "break-in"}
_cue(
    "holdup alarm",
    r"(?:holdup|hold up|robbery|duress) alarms?|alarma de (?:asalto|robo|atraco)",
    call_type="HOLDUP ALARM",
    suppresses=_NOT_CRIME,
)
_cue(
    "panic alarm",
    r"panic (?:alarm|button)s?|boton de panico|alarma de panico",
    call_type="PANIC ALARM",
    suppresses=_NOT_CRIME,
)
_cue(
    "silent alarm",
    r"silent alarms?|alarma silenciosa",
    call_type="SILENT ALARM",
    suppresses=_NOT_CRIME,
)
_cue(
    "alarm",
    r"(?:burglar|burglary|intrusion|intruder) alarms?|alarms?|alarmas?",
    call_type="AUDIBLE ALARM",
    suppresses=_NOT_CRIME,
)

# --- behaviour, welfare -------------------------------------------------------------------

_cue(
    "crisis",
    _alt(
        "mental health", "mental illness", "mentally ill", r"mental (?:crisis|breakdown)",
        r"mental (?:problems|issues|condition)", r"problemas? mentale?s?", r"enferm[oa] mental",
        "enfermedad mental",
        "nervous breakdown", "breakdown", "psychotic", "psychosis", r"schizophren\w*",
        "bipolar", "hearing voices", r"off (?:his|her|their) (?:meds|medication|medicine)",
        r"acting (?:crazy|erratic\w*|strange|weird)", "crisis", "panic attack",
        r"depress\w*", "depresion", "salud mental", "crisis nerviosa", r"esquizofren\w*",
        "alucinando",
        "oyendo voces", r"dejo (?:sus|su) (?:medicamentos|medicinas|pastillas)",
        r"deprimid\w+", "ataque de nervios", "ataque de panico",
    ),
    call_type="BEHAVIOR CRISIS",
)  # fmt: skip
_cue(
    "welfare",
    _alt(
        "check on", "checking on", r"check up on", "welfare check", "wellness check",
        "well being", "wellbeing",
        r"(?:isnt|is not|not|hasnt been|havent been|s not) (?:answering|picking up)",
        r"not responding to (?:my )?(?:calls|texts|messages)", r"havent (?:heard from|seen)",
        r"hasnt been seen",
        r"(?:hasnt|has not|havent) (?:come out|left) (?:of )?(?:her|his|their) (?:house|home"
        r"|apartment)",
        r"no ha salido(?: de su casa)?", r"no (?:contesta|responde)(?: (?:el telefono|la puerta|"
        r"mis llamadas|a mis llamadas|los mensajes))?", r"revisen? a", "ver como esta",
        "ver si esta bien", "chequeo de bienestar", r"no (?:lo|la|le) he visto",
        "no sabemos nada de",
    ),
    call_type="CHECK WELL BEING",
    suppresses={"medical"},
)  # fmt: skip

# --- city services and the rest -----------------------------------------------------------

_cue(
    "noise",
    _alt(
        "loud music", r"music\s+(?:is\s+)?(?:\w+\s+)?(?:loud|blasting)",
        r"blasting\s+(?:\w+\s+)?music", r"noise\w*", "noisy", "too loud", "so loud",
        "really loud", "loud party", "party", "parties",
        r"musica\s+(?:\w+\s+)?(?:alta|fuerte|a todo volumen)", r"ruido\w*", r"fiesta\w*",
        "bulla",
    ),
    call_type="LOUD MUSIC",
)  # fmt: skip
_cue(
    "parking",
    r"parked\s+(?:in front of|in|on|across|behind|at|by|next to|blocking)\s+(?:my|our|the|a)\s+"
    r"(?:\w+\s+)?(?:driveway|spot|space|sidewalk|hydrant|handicap\w*|garage|alley|entrance"
    r"|crosswalk|ramp|lane)|parking\s+(?:complaint|violation|problem|issue)"
    r"|blocking\s+(?:my|our|the)\s+(?:driveway|alley|garage|car|spot|sidewalk|hydrant|entrance"
    r"|way)|double parked|estacionad\w+(?:\s+\w+){0,3}?\s+(?:bloqueando|frente|en la banqueta"
    r"|en la acera)|bloqueando\s+(?:mi|la|el|nuestra)\s+(?:entrada|cochera|garaje|carro|salida"
    r"|calle|callejon|banqueta|acera)|mal estacionad\w+",
    call_type="PRKG COMPLAINT",
)
_cue(
    "abandoned vehicle",
    rf"abandon\w*|{VEH}\s+(?:\w+\s+){{0,6}}?(?:sitting|parked)\s+(?:\w+\s+){{0,3}}?"
    r"(?:for|in)\s+(?:\w+\s+)?(?:weeks?|months?|a year)|hasnt moved in|has not moved in"
    r"|no se ha movido|lleva (?:semanas|meses)",
    call_type="ABANDONED VEH",
)
_cue(
    "civil",
    _alt(
        "landlord", "security deposit", "deposit", "owes me", "owe me", "wont pay",
        "refuses to pay", "small claims", "contract", "eviction", r"evict\w*", "custody",
        "civil", "casero", "casera", "me debe", "deposito", "desalojo", "custodia",
        "visitation", r"visitas?",
        r"(?:wont|will not|refuses to) (?:return|give back) (?:my|our|her|him|the) (?:kids?|son"
        r"|daughter|children)",
        r"won?t return (?:her|him|them)",
        "no me paga", r"no me (?:quiere|quieren) (?:pagar|devolver)",
    ),
    call_type="CIVIL MATTER",
)  # fmt: skip
_cue(
    "suspicious",
    r"suspicious|sospechos\w+|casing|prowl\w*|lurking"
    r"|looking (?:into|in) (?:car|cars|windows|car windows)"
    r"|checking (?:car )?(?:door handles|doors)|mirando por las ventanas|merodeando",
    call_type="SUSPICIOUS PERS",
)
_cue(
    "disorderly",
    r"disorderly|disturbing the peace|cursing|loitering|harass\w+|escandalo|alboroto"
    r"|gritando (?:en la calle|afuera)|hostigando",
    call_type="DISORDERLY",
)
_cue(
    "arson",
    r"arson|set\s+(?:\w+\s+){0,3}?on fire|set fire|lit\s+(?:\w+\s+){0,3}?on fire|torched"
    r"|(?:le )?(?:prendieron|prendio) fuego|incendiaron|incendio (?:provocado|intencional)"
    r"|quemaron (?:mi|la|el|nuestra)"
    rf"|{VEH} (?:quemad\w+|incendiad\w+)|burn(?:ed|t) (?:my|our|the) (?:\w+ )?(?:{VEH}|house)"
    rf"|(?:{VEH}|house) (?:was|got) (?:burned|burnt|torched)",
    call_type="ARSON",
)
_cue(
    "homicide",
    r"murder\w*|homicide|killed\s+(?:him|her|them|someone|somebody|my \w+|a (?:man|woman|guy"
    r"|kid|person))|dead body|asesin\w+|mataron a|lo mataron|la mataron|cuerpo sin vida|cadaver",
    call_type="HOMICIDE",
    tags={"homicide"},
)
_cue(
    "online",
    r"(?:report|file|do|fill|hacer|reportar\w*|reporte|denuncia\w*)\s+(?:\w+\s+){0,4}?"
    r"(?:online|on line|on the (?:website|web|internet)|website|en linea|por internet"
    r"|en la pagina|por la web)|(?:online|internet) report|reporte (?:en linea|por internet)",
    tags={"online"},
)

#: Kinds of cue that are what someone *did*: a relation right before one is who did it.
_OFFENSE = frozenset({"offense", "violent", "threat_other", "weapon_word", "sexual", "stabbed"})
_FAMILY_HARM = frozenset(
    {"violent", "threat_other", "weapon_word", "sexual", "stabbed", "restraint"}
)
_RELATION = re.compile(
    rf"(?<![\w|])(?:my|our|mi|mis|nuestro|nuestra|the|el|la|un|una)\s+"
    rf"(?:(?P<partner>{PARTNER})|(?P<family>{FAMILY})|(?P<other>{ACQUAINTANCE}))(?![\w])"
)
_ACTOR_FILLER = _words(
    "just keeps kept always has had have is s been me se le nos lo la ya tried trying to a an un "
    "una esta estan also then again constantly he she hes shes kids kid son daughter boy girl "
    "friend friends hijo hija hijos amigo amigos"
)
#: What a relation named earlier in the sentence may have done ("my ex keeps calling and
#: saying he is going to kill me"); a weapon alone is not a deed.
_DEED = frozenset(
    {"offense", "violent", "threat_other", "sexual", "stabbed", "presence_strong", "presence_weak"}
)
_PASSIVE = _words("got get was were been is fue fueron")
_OTHER_ACTOR = _words(
    "someone somebody guy man woman men guys person people stranger kid kids boy girl thief "
    "alguien hombre mujer tipo senor persona ladron muchacho muchachos"
)
_THING = re.compile(VEH + r"|it|its|alarm|music|wallet|phone|bike|purse|keys")
_AUX = _words("is are s re was were esta estan sigue siguen todavia aun")
_PERSONISH = _words(
    "who he she they guy man woman someone somebody person people suspect thief kid kids men boy "
    "girl que quien ladron tipo hombre mujer alguien el ella ellos"
)
_DRIVING = re.compile(
    rf"(?<![\w|])(?:driv\w*|{VEH}|road|highway|accident|crash\w*|swerv\w*|manej\w*|conduc\w*"
    r"|volante|choc\w*|carretera)(?![\w])"
)

# --- negation -----------------------------------------------------------------------------

_TRIGGERS = _words(
    "no not never nobody nobodys noone noones none nothing nothings neither nor without didnt "
    "doesnt dont wasnt werent isnt arent hasnt havent hadnt wont wouldnt aint nadie nada ningun "
    "ninguno ninguna nunca sin ni tampoco jamas"
)
_MULTI_TRIGGERS = re.compile(r"(?<![\w|])(?:no one|no ones|no body|not any|did not|does not|do not"
                             r"|is not|was not|were not|are not|has not|have not|had not"
                             r"|will not)(?![\w])")  # fmt: skip
_PSEUDO = re.compile(
    r"(?<![\w|])(?:not sure|no estoy segur\w+|(?:dont|do not|didnt|did not) know (?:if|whether)"
    r"|no se si|not only|no solo|no solamente|(?:wont|cant|can not|doesnt|does not|didnt"
    r"|did not|wouldnt|will not|no) (?:stop|quit)|no (?:deja|para|paraba|dejaba|puede parar) de"
    r"|not just|no matter|no doubt|no wonder|if not)(?![\w])"
)
_TERMINATORS = _words(
    "| but pero and y e because porque so then although though however aunque sino while mientras "
    "when cuando except excepto until after despues before antes"
)
_NEW_SUBJECT = _words(
    "he she they i we you someone somebody hes shes theyre im ive theres there ella ellos ellas "
    "yo alguien nosotros"
)
_COORDINATION = _words("or nor o ni any a an un una no neither")
_GLUE = _words(
    "is was are were be been being got get gets getting has have had having did does do s re any "
    "anyone anybody anything a an the one body of at all even really actually seriously badly "
    "visibly physically seem seems seemed appear appears need needs needed kind sort that it its "
    "his her their my your our see saw seen notice noticed show showed shown use used pull pulled "
    "carry carrying carried on him them esta estan estaba estaban es son era fue fueron hay habia "
    "hubo tiene tenia tienen tenian tuvo trae traia traian lleva llevaba salio salieron resulto "
    "resultaron quedo parece ningun ninguna ninguno un una unos unas el la los las lo le les se "
    "me nos te ya mas nada muy gravemente de su sus mi vi vio ver mostro saco portaba"
)
_SCOPE = 8

# --- normalising --------------------------------------------------------------------------

_FILLERS = _words("um umm uh uhh uhm hmm mm mhm er erm ah eh")
_TOKEN = re.compile(r"[a-z0-9]+|[.,;:!?¿¡]")
_SPANISH_MARKS = re.compile(r"[áéíóúñ¿¡]")
_EN_WORDS = _words(
    "the my i is was and to of it someone somebody he she they have has his her with my stole "
    "stolen lost car house right now someone got broke into hurt please im my help there theres "
    "what this that from at on just yeah were our your who took need want report their them been "
    "are be"
)
_ES_WORDS = _words(
    "el la los las mi mis me se que de del y en un una esta estan hay con por para robaron carro "
    "casa alguien nadie tiene fue es lo le su al pero muy tengo quiero hola ahora mismo perdi se "
    "robo ya sigue aqui hijo hija esposo vecino herido tenia estoy hace desde donde como cuando "
    "porque llevaron quien senor senora usted"
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: Words worth snapping misheard or misspelt forms to (six letters or more).
_FUZZY_WORDS = tuple(
    sorted(
        _words(
            "unconscious unresponsive breathing bleeding injured wounded overdose overdosed "
            "seizure ambulance stabbed threatening threatened threaten pistol firearm handgun "
            "shotgun revolver machete weapon weapons burglarized burglary burglar vandalized "
            "vandalism shoplifting shoplifted shoplifter stolen stealing catalytic converter "
            "motorcycle graffiti assaulted attacked punched missing kidnapped raped molested "
            "exposed suspicious abandoned parked blocking driveway accident crashed collision "
            "sideswiped landlord deposit welfare wellness mental crisis suicidal suicide alarm "
            "holdup robbed robbery carjacked mugged shooting gunshots inconsciente sangrando "
            "herido herida heridos lastimado desaparecido desaparecida amenazando amenazo "
            "cuchillo pistola escopeta armado borracho choque accidente estacionado abandonado "
            "ambulancia sobredosis convulsiones robaron asaltaron apunalaron disparando disparos "
            "balacera incendio violencia domestica sospechoso alarma silenciosa"
        )
    )
)
_FUZZY_CUTOFF = 90.0


@lru_cache(maxsize=4096)
def _snap(word: str) -> str:
    """The lexicon's spelling of a long word within one or two letters of it, else the word."""
    if len(word) < 6 or word in _FUZZY_SET or not word.isalpha():
        return word
    best = process.extractOne(word, _FUZZY_WORDS, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    return best[0] if best else word


_FUZZY_SET = frozenset(_FUZZY_WORDS)


def _tokens(text: str, fuzzy: bool) -> list[str]:
    folded = _fold(text.replace("’", "'").replace("‘", "'")).replace("'", "")
    folded = folded.replace("-", " ").replace("&", " and ")
    out: list[str] = []
    for piece in _TOKEN.findall(folded):
        if piece in ".,;:!?¿¡":
            if out and out[-1] != "|":
                out.append("|")
            continue
        if piece in _FILLERS:
            continue
        out.append(_snap(piece) if fuzzy else piece)
    while out and out[-1] == "|":
        out.pop()
    return out


def _language(text: str, tokens: list[str]) -> str:
    spanish = len(_SPANISH_MARKS.findall(text.lower())) * 2
    spanish += sum(token in _ES_WORDS for token in tokens)
    english = sum(token in _EN_WORDS for token in tokens)
    return "es" if spanish > english else "en"


def _given_language(language: object) -> str | None:
    if isinstance(language, str) and language.strip():
        code = language.strip().lower().replace("_", "-").split("-", 1)[0]
        return code if code in LANGUAGES else "en"
    return None


# ------------------------------------------------------------------------------ matching


@dataclass
class _Hit:
    cue: _Cue
    start: int  # first token
    end: int  # one past the last token
    phrase: str
    negated_by: str | None = None


def _hits(text: str, starts: list[int]) -> list[_Hit]:
    found: list[_Hit] = []
    for item in _CUES:
        for match in item.regex.finditer(text):
            if match.end() == match.start():
                continue
            first = bisect_right(starts, match.start()) - 1
            last = bisect_right(starts, match.end() - 1)
            found.append(_Hit(item, first, last, match.group(0)))
    # The more specific cue wins over the words inside it.
    kept = []
    for hit in found:
        covered = any(
            other is not hit
            and other.cue.suppresses & hit.cue.tags
            and other.start < hit.end
            and hit.start < other.end
            for other in found
        )
        if not covered:
            kept.append(hit)
    kept.sort(key=lambda h: (h.start, -h.end))
    return kept


def _negate(tokens: list[str], text: str, starts: list[int], hits: list[_Hit]) -> None:
    """NegEx over the hits, in place."""
    inside = {i for hit in hits for i in range(hit.start, hit.end)}
    for match in _PSEUDO.finditer(text):
        first = bisect_right(starts, match.start()) - 1
        last = bisect_right(starts, match.end() - 1)
        inside.update(range(first, last))
    triggers: list[tuple[int, int]] = []  # (trigger token, first token of scope)
    for match in _MULTI_TRIGGERS.finditer(text):
        first = bisect_right(starts, match.start()) - 1
        last = bisect_right(starts, match.end() - 1)
        if first not in inside:
            triggers.append((first, last))
    multi = {t for t, _ in triggers}
    for i, word in enumerate(tokens):
        if word not in _TRIGGERS or i in inside or i in multi:
            continue
        if word == "no" and (i + 1 >= len(tokens) or tokens[i + 1] in _NEW_SUBJECT | {"|"}):
            continue  # "no, he has a gun": an answer, not a negation
        triggers.append((i, i + 1))
    for trigger, scope_start in triggers:
        pos = scope_start
        negated: list[_Hit] = []
        while pos < len(tokens) and pos - scope_start < _SCOPE:
            word = tokens[pos]
            if word in _TERMINATORS or (pos > scope_start and word in _NEW_SUBJECT):
                break
            starting = [h for h in hits if h.cue.negatable and h.start == pos]
            if starting:
                end = max(h.end for h in starting)
                for hit in hits:
                    if hit.cue.negatable and pos <= hit.start < end:
                        hit.negated_by = hit.negated_by or tokens[trigger]
                        negated.append(hit)
                pos = end
                continue
            # Before the negated cue only auxiliaries, articles and the like; after it only
            # "or"/"ni": "nobody got hurt", "no gun or knife", but not "no puede levantarse,
            # está sangrando" (a new verb, a new clause).
            if word not in (_COORDINATION if negated else _GLUE):
                break
            pos += 1


# ------------------------------------------------------------------------------ deciding


def _harm_later(tokens: list[str], positive: list[_Hit], after: int) -> list[_Hit]:
    """Harm later in the same sentence, by the same doer ("took my keys and won't let me
    leave")."""
    end = tokens.index("|", after) if "|" in tokens[after:] else len(tokens)
    return [
        h
        for h in positive
        if after <= h.start < end
        and h.cue.tags & _FAMILY_HARM
        and not _OTHER_ACTOR & set(tokens[after : h.start])
    ]


def _deed_later(tokens: list[str], positive: list[_Hit], after: int) -> list[_Hit]:
    """A deed later in the same sentence whose doer is the relation just named: no other
    person comes between, and it is not passive ("my son got stabbed" is the victim)."""
    for hit in sorted(positive, key=lambda h: h.start):
        if hit.start < after or not hit.cue.tags & _DEED:
            continue
        between = tokens[after : hit.start]
        if len(between) > 10 or "|" in between or _OTHER_ACTOR & set(between):
            return []
        if between and between[-1] in _PASSIVE:
            return []
        return [hit]
    return []


def _understand(text: object, language: object = None, *, fuzzy: bool = True) -> Understanding:
    raw = text[:MAX_CHARS] if isinstance(text, str) else ""
    tokens = _tokens(raw, fuzzy)
    lang = _given_language(language) or _language(raw, tokens)
    if not tokens:
        return Understanding(None, frozenset(), lang, ())
    joined = " ".join(tokens)
    starts = []
    offset = 0
    for token in tokens:
        starts.append(offset)
        offset += len(token) + 1
    hits = _hits(joined, starts)
    _negate(tokens, joined, starts, hits)

    # Past tense and nouns are not in progress: "was breaking in", "a shooting".
    for hit in hits:
        if "progressive" in hit.cue.tags and hit.negated_by is None:
            before = tokens[max(0, hit.start - 2) : hit.start]
            if {"was", "were", "estaba", "estaban", "had"} & set(before) or (
                before and before[-1] in {"a", "the", "an", "un", "una", "el", "la"}
            ):
                hit.negated_by = "past"
    positive = [h for h in hits if h.negated_by is None]
    tags = set().union(*(h.cue.tags for h in positive)) if positive else set()

    # A departure cancels a loose presence; "it's over" cancels "now".
    if "departure" in tags:
        for hit in positive:
            if "presence_weak" in hit.cue.tags:
                hit.negated_by = "gone"
    if "over" in tags:
        for hit in positive:
            if "happening_now" in hit.cue.flags and "now" not in hit.cue.tags:
                hit.negated_by = "over"
    # A thing is not a suspect: "the cars are still in the intersection" (but "the guy who
    # stole my car is still here" is).
    for hit in positive:
        if hit.cue.tags & {"presence_strong", "presence_weak"}:
            head = hit.start - 1
            while head >= 0 and tokens[head] in _AUX:
                head -= 1
            subject = [tokens[head]] if head >= 0 else []
            subject += tokens[hit.start : hit.start + 3]
            if any(_THING.fullmatch(word) for word in subject) and not _PERSONISH & set(
                tokens[: hit.start + 3]
            ):
                hit.negated_by = "a thing"
    positive = [h for h in hits if h.negated_by is None]
    tags = set().union(*(h.cue.tags for h in positive)) if positive else set()
    flags: set[str] = set().union(*(h.cue.flags for h in positive)) if positive else set()
    evidence: list[str] = []

    if "drunk" in tags and _DRIVING.search(joined):
        flags.add("impaired_driver")
        evidence.extend(
            f'"{h.phrase}" (impaired driver)' for h in positive if h.cue.name == "drunk"
        )

    # Who did it: a relation right before what was done.
    starts_of = {}
    for hit in positive:
        if hit.cue.tags & _OFFENSE:
            starts_of.setdefault(hit.start, []).append(hit)
    relations = list(_RELATION.finditer(joined))
    for match in relations:
        first = bisect_right(starts, match.start()) - 1
        if any(h.start < first < h.end for h in positive if h.cue.tags & _OFFENSE):
            continue  # "he hit my son": the relation is who it was done to
        after = bisect_right(starts, match.end() - 1)
        while after < len(tokens) and tokens[after] in _ACTOR_FILLER and after not in starts_of:
            after += 1
        done = starts_of.get(after)
        if not done:
            done = _deed_later(tokens, positive, bisect_right(starts, match.end() - 1))
        if not done:
            continue
        flags.add("known_suspect")
        evidence.append(f'"{match.group(0)}" (known suspect)')
        if (match.group("partner") or match.group("family")) and any(
            h.cue.tags & _FAMILY_HARM for h in done + _harm_later(tokens, positive, after)
        ):
            flags.add("domestic")
    if "dispute" in tags and any(m.group("partner") or m.group("family") for m in relations):
        flags.add("domestic")
    for hit in positive:  # "it was my husband", "threats from my ex"
        if "agent" in hit.cue.tags and tags & _FAMILY_HARM:
            named = _RELATION.search(hit.phrase)
            if named and (named.group("partner") or named.group("family")):
                flags.add("domestic")

    types = {h.cue.call_type for h in positive if h.cue.call_type}
    if "accident" in tags and "leave" in tags:
        types.add("HIT AND RUN")
    if "LARCENY" in types and "vehicle_window" in tags:
        types.add("LARCENY F/AUTO")
    if (types & {"LARCENY"} or "demand" in tags) and flags & {"violent", "weapon"}:
        types.add("ROBBERY")
    if "violent" in flags:
        if "weapon" in flags:
            types.add("AGG. ASSAULT")
        elif "domestic" in flags:
            types.add("FAMILY DISTURB")
        else:
            types.add("COMMON ASSAULT")
    elif "domestic" in flags:
        types.add("FAMILY DISTURB")
    if "threat_other" in tags:
        types.add("ASSAULT BY THREAT")
    if flags & {"injury", "medical"} and "AUTO ACCIDENT" in types:
        types.add("AUTO ACC/INJURY")
    if "impaired_driver" in flags and "accident" not in tags:
        types.add("DWI")
    if "suspect_present" in flags and not types:
        types.add("SUSPICIOUS PERS")
    call_type = min(types, key=_RANK.__getitem__) if types else None

    for hit in hits:
        label = hit.cue.call_type or ", ".join(sorted(hit.cue.flags)).replace("_", " ")
        if not label and hit.cue.name not in {"gone", "drove on"}:
            continue
        label = label or hit.cue.name
        if hit.negated_by is None:
            evidence.append(f'"{hit.phrase}" ({label})')
        elif hit.cue.flags or hit.cue.call_type:
            evidence.append(f'"{hit.phrase}" (not {label}: {hit.negated_by})')
    if call_type and not any(f"({call_type})" in e for e in evidence):
        evidence.append(f"{call_type} from {', '.join(sorted(flags)).replace('_', ' ')}")
    return Understanding(
        call_type=call_type,
        flags=frozenset(flags) & FLAGS,
        language=lang,
        evidence=tuple(dict.fromkeys(evidence)),
        prefers_online="online" in tags,
    )


def understand(text: str, language: str | None = None) -> Understanding:
    """The call type and flags in what a caller said ("Tell us in a few words why you are calling").

    ``language`` is "en" or "es" (regional tags such as "es-US" count as their language); when
    None it is detected. Words of both languages are understood whatever the language, since
    bilingual callers mix them. Never raises: empty or unrelated text gives no call type and no
    flags.
    """
    return _understand(text, language)


def red_flags(text: str, language: str | None = None) -> frozenset[str]:
    """Only the emergency flags heard in ``text``: for scanning every answer of every flow."""
    return understand(text, language).flags & EMERGENCY_FLAGS
