"""The shape a property's value must have, checked in one place: by the
bundle reader before import (with the field to point at) and by `kbtui
check` on a KB that may have been edited by hand."""

from __future__ import annotations

from typing import Protocol

from kbtui.kb import dates, vocab


class Kinds(Protocol):
    """Entity id -> kind, or None (a dict, or the bundle's view of a KB)."""

    def get(self, entity_id: str, /) -> str | None: ...


def property_problem(prop: str, value: str, qualifier: str, kinds: Kinds) -> tuple[str, str] | None:
    """(field, what is wrong) when `value`/`qualifier` do not fit `prop`;
    `kinds` maps entity ids to kinds (values of nationality and affiliation
    are entity ids)."""
    if not value.strip():
        return "value", "`value` must not be empty"
    if prop in {"birth-date", "death-date"}:
        wrong = dates.problem(value)
        return ("value", f"`value` = {wrong}") if wrong else None
    if prop in vocab.ENTITY_VALUED:
        allowed = {"country"} if prop == "nationality" else {"country", "organisation"}
        if kinds.get(value) not in allowed:
            return "value", f"`value` = {value!r} must be the id of a {' or '.join(sorted(allowed))} entity"
        return None
    if prop == "gender" and value not in vocab.GENDERS:
        return "value", f"`value` = {value!r} is not one of {', '.join(vocab.GENDERS)}"
    if prop == "identifier" and qualifier not in vocab.IDENTIFIER_SCHEMES:
        return "qualifier", (
            f"`qualifier` = {qualifier!r} must name the identifier's scheme: {', '.join(vocab.IDENTIFIER_SCHEMES)}"
        )
    if prop in {"name", "official-name"}:
        if (qualifier or prop == "name") and not vocab.LANG_TAG.fullmatch(qualifier):
            return "qualifier", f"`qualifier` = {qualifier!r} must be a language tag such as 'zh', 'ru' or 'zh-Hans'"
        return None
    # an 'other' property's qualifier says what it is (an imported field kbtui has no name for)
    if qualifier and prop not in {"identifier", "other"}:
        return "qualifier", f"`qualifier` applies only to names, identifiers and `other`, not to `{prop}`"
    return None
