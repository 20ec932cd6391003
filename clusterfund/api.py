"""The JSON API, version 1, at /api/v1/, described by the OpenAPI 3 document at /api/v1/openapi.json.

Each app adds its own router here (see `clusterfund.core.api` for how to write one). Every operation needs
a personal API token, which people make and revoke on their account page; the schema itself is public.
"""

from clusterfund.core.api import ClusterfundAPI, TokenAuth
from clusterfund.funding_requests.api import router as funding_requests
from clusterfund.money.api import router as money
from clusterfund.pupils.api import router as pupils
from clusterfund.triage.api import router as papers

api = ClusterfundAPI(
    title="clusterfund API",
    version="1",
    description=(
        "SEND cluster funding: the same records, rules and permissions as the service's pages. "
        "Send a personal API token, made on your account page, as `Authorization: Bearer <token>`. "
        "Another school's record is not found (404); refusals by the rules are 400 with an error per field."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs_url=None,
)
api.add_router("/pupils", pupils)
api.add_router("/requests", funding_requests)
api.add_router("/money", money)
api.add_router("/papers", papers)
