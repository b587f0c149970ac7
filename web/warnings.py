"""The 预警 page: the open warnings of every unit, or of one (``?unit=CODE``).

Warnings (``monitors.warnings``) carry no points and are not reviewed: any logged-in user,
reviewer or viewer, reads them (a unit user its own units' only); they open and resolve as
the monitors run.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from storage import repo
from web.auth import Account
from web.views import page, render, state


@page
def warnings_page(request: Request, user: Account) -> Response:
    st = state(request)
    units = [(u.code, u.name) for u in st.config.units if user.sees(u.code)]
    wanted = request.query_params.get("unit", "")
    unit = wanted if wanted in dict(units) else ""  # an unknown code filters nothing
    with st.db.session() as session:
        rows = [r for r in repo.open_warnings(session, unit or None) if user.sees(r.unit_code)]
    return render(request, "warnings.html", {"rows": rows, "unit": unit, "units": units,
                                             "active": "warnings"}, user=user)
