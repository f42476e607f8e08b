"""The time rules of the one-stop shop, as Nghị định 61/2018/NĐ-CP sets them (Arts. 17–20; Nghị định
118/2025/NĐ-CP keeps the same figures). The one place to change them when the decree changes.

- ``FORWARD_CUT_OFF``: a paper dossier handed to another agency after 15:00 starts there at the next working
  day's opening (Art. 19: “sau 15 giờ … chuyển ngay trong ngày làm việc tiếp theo”).
- ``SUPPLEMENT_WINDOW_DAYS``: after receipt, an agency may ask for more papers once, within 3 working days
  (Art. 18 cl. 2 and 19); the time limit then restarts from zero when the completed dossier is received.
- ``SUPPLEMENTS_AFTER_RECEIPT``: how many such requests after receipt: one.
- ``APOLOGY_NOTICE_DAYS``: a late dossier's apology with a new date (form 04) goes out at least 1 working day
  before the deadline (Art. 20 cl. 3), once per dossier (``APOLOGIES_PER_DOSSIER``, kept by the one-to-one
  apology row).
- ``DUE_SOON_WORKING_DAYS``: worklists and digests warn about dossiers due within 1 working day.
"""

from __future__ import annotations

import datetime as dt

FORWARD_CUT_OFF = dt.time(15, 0)
SUPPLEMENT_WINDOW_DAYS = 3
SUPPLEMENTS_AFTER_RECEIPT = 1
APOLOGY_NOTICE_DAYS = 1
APOLOGIES_PER_DOSSIER = 1
DUE_SOON_WORKING_DAYS = 1
