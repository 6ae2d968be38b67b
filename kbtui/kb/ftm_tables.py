"""What each FollowTheMoney schema and property becomes in kbtui: the
tables kbtui.kb.ftm_map reads. Kept apart so the mapping can be read (and
reviewed) as a table. FtM names are camelCase; kbtui's are the closed sets
of kbtui.kb.vocab."""

from __future__ import annotations

from typing import Final

# -- schemata that are things (an entity of their own) ------------------------
ENTITY_KINDS: Final = {
    "Person": "person",
    "Organization": "organisation",
    "Company": "organisation",
    "LegalEntity": "organisation",
    "PublicBody": "organisation",
    "Address": "place",
    # kbtui has no kind for craft: 'product' is the nearest (noted in the report)
    "Vessel": "product",
    "Airplane": "product",
    "Vehicle": "product",
    # a post (Member of the State Duma): its name titles the roles held in it
    "Position": "concept",
}

# -- schemata that are links between things ------------------------------------
# schema: (holder property, organisation property, default title)
ROLE_LINKS: Final = {
    "Directorship": ("director", "organization", "Director"),
    "Membership": ("member", "organization", "Member"),
    "Employment": ("employee", "employer", "Employee"),
}
# schema: (relation type, subject property, object property, label property)
RELATION_LINKS: Final = {
    "Ownership": ("owns", "owner", "asset", "role"),
    "Family": ("family-of", "person", "relative", "relationship"),
    "Associate": ("associate-of", "person", "associate", "relationship"),
    "UnknownLink": ("linked-to", "subject", "object", "role"),
    "Representation": ("represents", "agent", "client", "role"),
    "Payment": ("paid", "payer", "beneficiary", "purpose"),
}
# the schemata handled one by one in ftm_map (besides the tables above)
SPECIAL: Final = frozenset({"Occupancy", "Sanction", "Event", "Identification", "Passport"})


def makes_entity(schema: str) -> bool:
    """Whether a record of `schema` has an entity of its own (so an FtM DEL
    unlinks it): things and events do, links do not. Unknown schemata are
    kept as concepts, so they are entities too."""
    links = SPECIAL - {"Event"}
    return schema not in ROLE_LINKS and schema not in RELATION_LINKS and schema not in links


# -- properties ------------------------------------------------------------------
# name forms: property -> alias kind ('name' values after the first are aliases)
ALIAS_KINDS: Final = {
    "name": "alias",
    "alias": "alias",
    "weakAlias": "alias",
    "previousName": "former-name",
    "abbreviation": "abbreviation",
}
# parts of a person's name: kept as 'other' properties, and joined into the
# entity's name when a record has no `name`
NAME_PARTS: Final = ("firstName", "middleName", "fatherName", "lastName")
DATES: Final = {
    "birthDate": "birth-date",
    "deathDate": "death-date",
    "incorporationDate": "incorporation-date",
    "dissolutionDate": "dissolution-date",
}
NATIONALITY: Final = frozenset({"nationality", "citizenship"})
COUNTRY: Final = frozenset({"country", "jurisdiction", "mainCountry"})
SIMPLE: Final = {
    "position": "position",
    "topics": "topic",
    "address": "address",
    "website": "website",
    "email": "email",
    "phone": "phone",
    "legalForm": "legal-form",
    "status": "status",
    "gender": "gender",
}
IDENTIFIERS: Final = {
    "registrationNumber": "registry",
    "ogrnCode": "registry",
    "kppCode": "registry",
    "okpoCode": "registry",
    "taxNumber": "tax",
    "innCode": "tax",
    "vatCode": "vat",
    "passportNumber": "passport",
    "idNumber": "id-card",
    "leiCode": "lei",
    "wikidataId": "wikidata",
    "imoNumber": "imo",
    "isinCode": "isin",
    "swiftBic": "swift",
}
# end in Number/Code but are not identifiers of the entity
NOT_IDENTIFIERS: Final = frozenset({"postalCode", "currencyCode", "sequenceNumber", "transactionNumber"})
# derived or purely technical: not imported, counted as skipped with why
SKIPPED: Final = {
    "indexText": "derived: a copy of other values for search",
}
# an Identification's `type`, in words, to kbtui's identifier scheme
DOCUMENT_TYPES: Final = (
    ("passport", "passport"),
    ("tax", "tax"),
    ("inn", "tax"),
    ("vat", "vat"),
    ("regist", "registry"),
    ("id", "id-card"),
    ("ident", "id-card"),
    ("national", "id-card"),
)
# words in an event's name that say what it was (else 'other')
EVENT_WORDS: Final = (
    ("meeting", "meeting"),
    ("summit", "meeting"),
    ("conference", "conference"),
    ("visit", "visit"),
    ("speech", "speech"),
    ("talks", "talks"),
)
# an FtM status, lowercased, to a role's status
ROLE_STATUS: Final = {
    "current": "current",
    "active": "current",
    "ended": "former",
    "former": "former",
    "inactive": "former",
    "resigned": "former",
}

# -- countries -------------------------------------------------------------------
# the names of common FtM country codes (ISO 3166-1 alpha-2, lowercase, plus
# FtM's historical ones); any other code is named by itself in capitals
COUNTRY_NAMES: Final = {
    "ae": "United Arab Emirates",
    "af": "Afghanistan",
    "am": "Armenia",
    "ar": "Argentina",
    "at": "Austria",
    "au": "Australia",
    "az": "Azerbaijan",
    "ba": "Bosnia and Herzegovina",
    "be": "Belgium",
    "bg": "Bulgaria",
    "br": "Brazil",
    "by": "Belarus",
    "bz": "Belize",
    "ca": "Canada",
    "ch": "Switzerland",
    "cn": "China",
    "cu": "Cuba",
    "cy": "Cyprus",
    "cz": "Czechia",
    "de": "Germany",
    "dk": "Denmark",
    "ee": "Estonia",
    "eg": "Egypt",
    "es": "Spain",
    "eu": "European Union",
    "fi": "Finland",
    "fr": "France",
    "gb": "United Kingdom",
    "ge": "Georgia",
    "gr": "Greece",
    "hk": "Hong Kong",
    "hr": "Croatia",
    "hu": "Hungary",
    "id": "Indonesia",
    "ie": "Ireland",
    "il": "Israel",
    "in": "India",
    "iq": "Iraq",
    "ir": "Iran",
    "it": "Italy",
    "jp": "Japan",
    "kg": "Kyrgyzstan",
    "kp": "North Korea",
    "kr": "South Korea",
    "ky": "Cayman Islands",
    "kz": "Kazakhstan",
    "lb": "Lebanon",
    "li": "Liechtenstein",
    "lt": "Lithuania",
    "lu": "Luxembourg",
    "lv": "Latvia",
    "ly": "Libya",
    "mc": "Monaco",
    "md": "Moldova",
    "mm": "Myanmar",
    "mt": "Malta",
    "mx": "Mexico",
    "nl": "Netherlands",
    "no": "Norway",
    "pa": "Panama",
    "pk": "Pakistan",
    "pl": "Poland",
    "pt": "Portugal",
    "ro": "Romania",
    "rs": "Serbia",
    "ru": "Russia",
    "sa": "Saudi Arabia",
    "sc": "Seychelles",
    "se": "Sweden",
    "sg": "Singapore",
    "si": "Slovenia",
    "sk": "Slovakia",
    "su": "Soviet Union",
    "suhh": "Soviet Union",
    "sy": "Syria",
    "th": "Thailand",
    "tj": "Tajikistan",
    "tm": "Turkmenistan",
    "tr": "Turkey",
    "tw": "Taiwan",
    "ua": "Ukraine",
    "us": "United States",
    "uz": "Uzbekistan",
    "ve": "Venezuela",
    "vg": "British Virgin Islands",
    "vn": "Vietnam",
    "xk": "Kosovo",
    "ye": "Yemen",
    "za": "South Africa",
}
