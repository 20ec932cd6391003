from clusterfund.core.tests.browser import browser, page  # noqa: F401  (fixtures for the journeys)
