"""Availability probes (AV001, AV002), the TLS check (SC004) and the weekly availability verdict (V2).

Four modules, kept apart as in Uptime Kuma's ``tls.js``:

- :mod:`~xunjian.probes.client` — I/O: the pinned-address homepage request and the certificate reader;
- :mod:`~xunjian.probes.verdicts` — pure: outcome, AV001/AV002/SC004 findings, the weekly verdict;
- :mod:`~xunjian.probes.storage` — SQL: the ``probes`` row, findings merged with ``source="probe"``,
  the weekly availability from the stored rows;
- :mod:`~xunjian.probes.run` — orchestration shared by ``xunjian probe`` and the scheduler:
  :func:`probe_and_record`.

Everything is re-exported here, so ``from xunjian.probes import ...`` names any of them.
"""

from xunjian.probes.client import (
    MAX_BODY_BYTES,
    MAX_REDIRECTS,
    ProbeRefused,
    ProbeResult,
    Resolver,
    TlsInfo,
    fetch_certificate,
    fetch_homepage,
    resolve_checked,
)
from xunjian.probes.run import ProbeRun, probe_and_record, probe_site
from xunjian.probes.storage import record_probe, weekly_availability
from xunjian.probes.verdicts import (
    FAILURE_RATIO_VETO,
    MIN_PROBES_PER_DAY,
    availability_findings,
    hostname_matches,
    probe_outcome,
    tls_findings,
    weekly_verdict,
)

__all__ = [
    "FAILURE_RATIO_VETO", "MAX_BODY_BYTES", "MAX_REDIRECTS", "MIN_PROBES_PER_DAY", "ProbeRefused", "ProbeResult",
    "ProbeRun", "Resolver", "TlsInfo", "availability_findings", "fetch_certificate", "fetch_homepage",
    "hostname_matches", "probe_and_record", "probe_outcome", "probe_site", "record_probe", "resolve_checked",
    "tls_findings", "weekly_availability", "weekly_verdict",
]
