"""One router's RouterOS API connection for one enforcement run: reads cached per menu, writes batched.

Reads are one ``print`` per menu (a ``?name=`` query for a few names, else the whole menu with a
proplist); writes that take the same values go out as one ``set`` over every ``.id`` (each alone
only if the router refuses the batch); kicks are one ``remove``. Only the customers' own accounts
are modified (never deleted) and only objects carrying ispnoc's comment are ever removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from librouteros.exceptions import TrapError
from librouteros.query import Key

from billing.enums import EnforcementStyle

QUERY_MAX = 20  # names per ``?name=`` query; past this one print of the whole menu is cheaper
ACCOUNT_PROPS = (".id", "name", "profile", "remote-address")
REDIRECT = "redirect"
Row = dict[str, Any]


@dataclass(frozen=True)
class RouterAccess:
    """How to reach one router's API, and its defaults (style, list, profile, payment page)."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    style: EnforcementStyle = EnforcementStyle.PROFILE_SWAP
    address_list: str = "ispnoc-suspended"
    suspended_profile: str = "suspended"
    timeout: float = 10.0
    payment_page: tuple[str, int] | None = None


class RouterView:
    """Reads and writes on one logged-in librouteros ``Api``."""

    def __init__(self, api: Any, access: RouterAccess, comment: str) -> None:
        self.api = api
        self.access = access
        self.comment = comment
        self._accounts: dict[bool, dict[str, Row]] = {False: {}, True: {}}
        self._whole: set[bool] = set()
        self._listed: dict[str, list[Row]] | None = None
        self._redirect_ensured = False

    def tag(self, customer_id: int) -> str:
        """The comment on everything ispnoc adds for a customer."""
        return f"{self.comment}:{customer_id}"

    def accounts(self, hotspot: bool, names: Iterable[str]) -> dict[str, Row]:
        """PPP secrets (or hotspot users) by name, read once per run and kept up to date."""
        cache = self._accounts[hotspot]
        missing = [] if hotspot in self._whole else sorted({n for n in names if n not in cache})
        if missing:
            query = self._accounts_path(hotspot).select(*map(Key, ACCOUNT_PROPS))
            if len(missing) > QUERY_MAX:
                self._whole.add(hotspot)
            else:
                query = query.where(Key("name").In(*missing))
            cache.update({str(row["name"]): dict(row) for row in query})
        return cache

    def set_accounts(self, hotspot: bool, values: dict[str, str], ids: Sequence[str]) -> dict[str, str]:
        """One ``set`` of ``values`` on every id; the ids the router refused, with its reason."""
        path = self._accounts_path(hotspot)
        try:
            path.update(**{".id": ",".join(ids)}, **values)
        except TrapError as exc:
            if len(ids) == 1:
                return {ids[0]: str(exc)}
            failed: dict[str, str] = {}
            for one in ids:
                failed |= self.set_accounts(hotspot, values, [one])
            return failed
        by_id = {row[".id"]: row for row in self._accounts[hotspot].values()}
        for one in ids:
            by_id.get(one, {}).update(values)
        return {}

    def sessions(self, hotspot: bool, names: Iterable[str]) -> dict[str, list[Row]]:
        """The live sessions of these users (``.id`` and ``address``), in one print."""
        wanted = sorted(set(names))
        if not wanted:
            return {}
        key = "user" if hotspot else "name"
        query = self._active_path(hotspot).select(Key(".id"), Key(key), Key("address"))
        if len(wanted) <= QUERY_MAX:
            query = query.where(Key(key).In(*wanted))
        found: dict[str, list[Row]] = {}
        for row in query:
            if str(row.get(key)) in wanted:
                found.setdefault(str(row[key]), []).append(dict(row))
        return found

    def kick(self, hotspot: bool, names: Iterable[str]) -> None:
        """End these users' live sessions (one remove) so they come back under the new profile."""
        ids = [row[".id"] for rows in self.sessions(hotspot, names).values() for row in rows]
        if ids:
            self._active_path(hotspot).remove(*ids)

    def listed(self) -> dict[str, list[Row]]:
        """ispnoc's entries on the suspension list by comment (one print per run)."""
        if self._listed is None:
            self._listed = {}
            query = self._list_path().select(Key(".id"), Key("comment"), Key("address")).where(
                Key("list") == self.access.address_list)
            prefix = f"{self.comment}:"
            for row in query:
                comment = str(row.get("comment", ""))
                if comment.startswith(prefix) and comment[len(prefix):].isdigit():
                    self._listed.setdefault(comment, []).append(dict(row))
        return self._listed

    def add_listed(self, customer_id: int, address: str) -> None:
        """Put one customer's address on the suspension list, with the customer's comment."""
        tag = self.tag(customer_id)
        item = self._list_path().add(list=self.access.address_list, address=address, comment=tag)
        self.listed().setdefault(tag, []).append({".id": item, "comment": tag, "address": address})

    def remove_listed(self, customer_ids: Iterable[int]) -> None:
        """Take these customers' own entries off the list (one remove)."""
        listed = self.listed()
        ids = [row[".id"] for cid in customer_ids for row in listed.pop(self.tag(cid), [])]
        if ids:
            self._list_path().remove(*ids)

    def ensure_redirect(self) -> None:
        """ispnoc's own dst-nat of tcp/80 from the list to the payment page, once per run."""
        page = self.access.payment_page
        if self._redirect_ensured or page is None:
            return
        want = redirect_rule(self.access.address_list, page, f"{self.comment}:{REDIRECT}")
        nat = self.api.path("ip", "firewall", "nat")
        query = nat.select(Key(".id"), *map(Key, want)).where(Key("comment") == want["comment"])
        rules = [dict(r) for r in query]
        if not rules:
            nat.add(**want)
        else:
            first, extra = rules[0], [r[".id"] for r in rules[1:]]
            changed = {k: v for k, v in want.items() if str(first.get(k, "")) != v}
            if changed:
                nat.update(**{".id": first[".id"]}, **changed)
            if extra:
                nat.remove(*extra)
        self._redirect_ensured = True

    def _accounts_path(self, hotspot: bool) -> Any:
        return self.api.path("ip", "hotspot", "user") if hotspot else self.api.path("ppp", "secret")

    def _active_path(self, hotspot: bool) -> Any:
        return self.api.path("ip", "hotspot", "active") if hotspot else self.api.path("ppp", "active")

    def _list_path(self) -> Any:
        return self.api.path("ip", "firewall", "address-list")


def redirect_rule(address_list: str, page: tuple[str, int], comment: str) -> dict[str, str]:
    """The NAT rule sending a listed customer's web traffic to the payment page."""
    host, port = page
    return {"chain": "dstnat", "action": "dst-nat", "protocol": "tcp", "dst-port": "80",
            "src-address-list": address_list, "to-addresses": host, "to-ports": str(port),
            "comment": comment}
