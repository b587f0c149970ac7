"""Config sync (every command, before the crawl): the config's units and sources upserted
into storage, and the ids of the active sources.

Idempotent: syncing the same config twice changes nothing the second time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from govwatch.config import CountyConfig
from govwatch.timeutil import now
from storage.models import ConfigSync, Source, SourceUrlChange, Unit
from storage.repo._sql import _insert_for

_SYNCED = ("type", "kind", "url", "render", "selectors", "expect_update", "thresholds",
           "policy_titles", "monitored_since", "active")


def _wanted_sources(config: CountyConfig, unit_cfg: Any) -> list[tuple[str, dict[str, Any]]]:
    wanted: list[tuple[str, dict[str, Any]]] = []
    for column in unit_cfg.columns:
        wanted.append((column.name, {
            "type": "column", "kind": column.kind, "url": column.url, "render": column.render,
            "selectors": column.selectors.model_dump() if column.selectors else None,
            "expect_update": column.expect_update,
            "thresholds": column.thresholds.model_dump(exclude_none=True),
            "policy_titles": (column.policy_titles.model_dump()
                              if column.policy_titles else None),
            "monitored_since": None, "active": True,
        }))
    for account in unit_cfg.accounts:
        wanted.append((account.name, {
            "type": "account", "kind": account.platform, "url": account.url,
            "render": "static", "selectors": None, "expect_update": True,
            "thresholds": account.thresholds.model_dump(exclude_none=True),
            "policy_titles": None,
            "monitored_since": account.monitored_since or config.settings.monitoring_start,
            "active": True,
        }))
    return wanted


def sync_config(session: Session, config: CountyConfig) -> dict[tuple[str, str], int]:
    """Upsert the config's units and sources; deactivate those no longer configured.

    A source is the config's (unit code, source name): a changed URL updates it in place,
    recorded in ``source_url_change`` (old → new, when), and its items, findings and reviews
    carry over (``storage.identity``).

    Returns ``{(unit_code, source_name): source_id}``. Nothing is deleted: items and findings
    of a removed source stay as evidence. Set-based — the stored sources are read in one
    query and only what changed is written, in bulk — so a province's 60,000 sources sync in
    a second or two on every command.
    """
    units = {u.code: u for u in session.scalars(select(Unit))}
    for unit_cfg in config.units:
        unit = units.get(unit_cfg.code)
        if unit is None:
            unit = units[unit_cfg.code] = Unit(code=unit_cfg.code)
            session.add(unit)
        unit.name, unit.category = unit_cfg.name, unit_cfg.category
        unit.county, unit.active = config.county, True
    configured = {u.code for u in config.units}
    for code, unit in units.items():
        if code not in configured:
            unit.active = False
    session.flush()
    columns = [getattr(Source, name) for name in _SYNCED]
    stored: dict[tuple[int, str], tuple[int, dict[str, Any]]] = {}
    for sid, unit_id, name, *values in session.execute(
            select(Source.id, Source.unit_id, Source.name, *columns)):
        stored[(unit_id, name)] = (sid, dict(zip(_SYNCED, values, strict=True)))
    ids: dict[tuple[str, str], int] = {}
    inserts: list[dict[str, Any]] = []
    insert_keys: list[tuple[str, str]] = []
    updates: list[dict[str, Any]] = []
    seen: set[int] = set()
    moves: list[dict[str, Any]] = []
    for unit_cfg in config.units:
        unit_id = units[unit_cfg.code].id
        for name, values in _wanted_sources(config, unit_cfg):
            found = stored.get((unit_id, name))
            if found is None:
                inserts.append({"unit_id": unit_id, "name": name, **values})
                insert_keys.append((unit_cfg.code, name))
                continue
            sid, current = found
            seen.add(sid)
            ids[(unit_cfg.code, name)] = sid
            changed = {k: v for k, v in values.items() if current[k] != v}
            if changed:
                updates.append({"id": sid, **changed})
            if "url" in changed and current["url"]:  # moved: same source, same items
                moves.append({"source_id": sid, "old_url": current["url"],
                              "new_url": changed["url"], "changed_at": now()})
    for sid, current in stored.values():  # sources no longer configured
        if sid not in seen and current["active"]:
            updates.append({"id": sid, "active": False})
    if updates:  # bulk UPDATE by primary key (grouped by the columns each row changes)
        session.execute(update(Source), updates)
    if moves:
        session.execute(insert(SourceUrlChange), moves)
    if inserts:
        table = Source.__table__
        new_ids = session.scalars(insert(table).returning(table.c.id,
                                                          sort_by_parameter_order=True),
                                  inserts).all()
        ids.update(zip(insert_keys, new_ids, strict=True))
    return ids


def sync_config_if_changed(session: Session, config: CountyConfig, fingerprint: str) -> bool:
    """``sync_config`` unless the database was last synced from a config with this
    ``fingerprint`` (see ``govwatch.cli.app.config_fingerprint``); whether it synced."""
    state = session.get(ConfigSync, "config")
    if state is not None and state.fingerprint == fingerprint:
        return False
    sync_config(session, config)
    # an upsert: two workers starting together may both find no row
    stmt = _insert_for(session)(ConfigSync).values(name="config", fingerprint=fingerprint,
                                                   synced_at=now())
    session.execute(stmt.on_conflict_do_update(
        index_elements=["name"], set_={"fingerprint": fingerprint,
                                       "synced_at": stmt.excluded.synced_at}))
    return True


def source_ids(session: Session) -> dict[tuple[str, str], int]:
    """``{(unit_code, source_name): source_id}`` of the active sources."""
    rows = session.execute(select(Unit.code, Source.name, Source.id)
                           .join(Unit, Unit.id == Source.unit_id)
                           .where(Source.active.is_(True)))
    return {(code, name): sid for code, name, sid in rows}
