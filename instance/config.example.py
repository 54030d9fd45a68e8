# Copy to instance/config.py and adjust. Every setting and its default: survey/config.py,
# or `papi-pulse config show`. Environment variables PAPI_PULSE_<SETTING> override this file.

# The public address printed on posters and encoded in QR codes (no trailing slash).
BASE_URL = "https://khaosat.example.gov.vn"

# Who runs the survey, and where results are published (shown to citizens). {unit} becomes
# each point's own ward, commune or special zone: "xã An Lục Long", "An Luc Long Commune".
# The defaults name the People's Committee of that unit; leave {unit} out for one organiser
# everywhere, e.g. ORGANISER_VI = "Sở Nội vụ tỉnh Tây Ninh".
ORGANISER_VI = "Ủy ban nhân dân {unit}"
ORGANISER_EN = "the People's Committee of {unit}"
RESULTS_NOTE_VI = "Kết quả tổng hợp được công bố hằng quý tại trụ sở Ủy ban nhân dân {unit} và trên cổng thông tin."
RESULTS_NOTE_EN = "Summary results are published every quarter at the offices of the People's Committee of {unit} and online."

# Behind nginx on the same machine: one proxy sets X-Forwarded-For and X-Forwarded-Proto.
PROXY_COUNT = 1
SESSION_COOKIE_SECURE = True

# Delete raw responses this many months after they are counted (0 keeps them).
RETENTION_MONTHS = 0
