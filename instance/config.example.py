# Copy to instance/config.py and adjust. Every setting and its default: survey/config.py,
# or `papi-pulse config show`. Environment variables PAPI_PULSE_<SETTING> override this file.

# The public address printed on posters and encoded in QR codes (no trailing slash).
BASE_URL = "https://khaosat.example.gov.vn"

# Who runs the survey, and where results are published (shown to citizens).
ORGANISER_VI = "Ủy ban nhân dân phường Bến Thành"
ORGANISER_EN = "Ben Thanh Ward People's Committee"
RESULTS_NOTE_VI = "Kết quả tổng hợp được công bố hằng quý tại trụ sở phường và trên cổng thông tin."
RESULTS_NOTE_EN = "Summary results are published every quarter at the ward office and online."

# Behind nginx on the same machine: one proxy sets X-Forwarded-For and X-Forwarded-Proto.
PROXY_COUNT = 1
SESSION_COOKIE_SECURE = True

# Delete raw responses this many months after they are counted (0 keeps them).
RETENTION_MONTHS = 0
