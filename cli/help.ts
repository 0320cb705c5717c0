/** Help texts of every command, in a module with no imports: `--help` and usage errors load nothing else. */

export const CHECK_HELP = `Usage: estate-gateway check-config FILE

Validates a configuration file against config/config.schema.json and the cross-checks
(reader → door, unique ids, known drivers). Prints every problem as
"FILE:LINE path: message" and exits 1; prints a summary and exits 0 when it is valid.`;

export const DECODE_HELP = `Usage: estate-gateway decode fingerprint|idcard|wiegand|modbus HEX… [options]
       estate-gateway decode hikvision-isapi|dahua FILE… [options]

Decodes bytes captured on a reader's serial line (or from a ser2net box) and prints each
frame as one JSON line, fields named as in docs/serial-readers.md. A bad frame, a
truncated tail or bytes that start no frame print {"error", "reason", "bytes"}; the exit
code is then 1. Hex may be spaced or not (EF 01 FF…, ef01ff…, 0xEF,0x01); without HEX
arguments it is read from stdin.

Face terminals on HTTP (hikvision-isapi, dahua) take a captured file instead: a body the
terminal pushed (multipart event_log + picture; a Dahua /notification), a stream capture
(alertStream, eventManager or snapManager attach), a Dahua recordFinder reply, or one
event's JSON/XML. Each event prints as the driver hands it to the gateway: the read
(credential, record id, time, offline, picture size), a door signal, a known note, an
unknown code, or an {"error", "reason"} it would count. Card numbers are masked unless
--unmasked; names and pictures are never printed. Capture a push with e.g.
  socat -u TCP-LISTEN:8099,reuseaddr,fork CREATE:push.http   (then strip the HTTP head)
or a stream with
  curl --digest -u admin:PASS -N http://TERMINAL/ISAPI/Event/notification/alertStream > s.bin

Examples:
  estate-gateway decode fingerprint EF 01 FF FF FF FF 07 00 03 02 00 0C
  estate-gateway decode idcard AA AA AA 96 69 00 04 00 00 80 84
  estate-gateway decode wiegand 30 33 38 34 45 36 41 43 0D
  estate-gateway decode modbus 01 05 00 00 FF 00 8C 3A

Options:
  --format F    wiegand line format: hex-cr, decimal-crlf, stx-etx (default: guessed
                from the terminators; a line must end with 0D, 0D 0A or 03)
  --role R      modbus: request or reply (default: whichever reading decodes more)
  --unmasked    idcard: show name, ID number, birth date and address in full (masked
                by default: output gets pasted into tickets); terminals: card numbers
  --content-type CT   terminals: the capture's Content-Type (its boundary); guessed from
                the first delimiter line when left out
  --card-format F     terminals: decimal (Hikvision's default) or hex (Dahua's)
  --utc-offset-minutes N   terminals: the zone of times written without one (480: China)
  -h, --help`;

export const DEMO_HELP = `Usage: estate-gateway demo [--config FILE]

The gateway and a whole simulated estate in one process — what \`npm start\` runs:
the embedded broker, face terminals at the doors, a door with serial readers (fingerprint
module, ID-card reader, Wiegand card reader, Modbus relay lock: simulated devices behind
tcp:// ports, as a ser2net box presents real ones), a Hikvision ISAPI and a Dahua CGI face
terminal (simulated on 127.0.0.1, reached by the production drivers with Digest logins the
demo makes up for them), door contacts and exit buttons on the gates' relay boards, ONVIF
cameras at that door and the north gate (their logins written to the secrets file),
residents coming and going, a few strangers and moved-out tenants, a door held open and
another forced within the first minute, a simulated district system receiving the alerts,
and the dashboard. Its demo login (user demo, an admin) gets a password generated on first
run, kept in the data directory as demo-login.txt (mode 0600) and printed at every start.
Uses config/default.yaml unless told otherwise; data goes to ./var/.

Options:
  -c, --config FILE
  -h, --help`;

export const EVENTS_HELP = `Usage: estate-gateway events --since ISO [--until ISO] [--format jsonl|csv] [--config FILE]

Exports the journal of access records (each read with its decision and reasons), oldest
first, to stdout. Safe beside a running gateway (read-only). Credential keys, ID numbers
and images are never exported.

Options:
  --since ISO      first event time, inclusive (e.g. 2026-05-01T00:00:00+08:00)
  --until ISO      end, exclusive
  --format F       jsonl (default) or csv
  -c, --config FILE
  -h, --help`;

export const ROSTER_HELP = `Usage: estate-gateway roster import FILE [--replace] [--dry-run] [--config FILE]
       estate-gateway roster verify FILE [--pubkey KEY]… [--config FILE]
       estate-gateway roster sign --key FILE --estate ID --version N (--snapshot ROSTER.json | --delta CHANGES.json) [--out FILE]
       estate-gateway roster keygen --out FILE

import: imports the authorized-resident roster from JSON or CSV (docs/roster-import.md).
Every row is checked first (ID numbers against GB 11643, dates, roles, duplicates); if
any row is bad nothing is imported and every bad row is listed as "FILE:LINE field: reason".
ID numbers are stored only as a keyed hash and a masked form. A running gateway picks
the new roster up within seconds; fingerprint templates the file carries are then
enrolled on the fingerprint modules, and pages of residents who left deleted.

The signed roster from the district system (docs/upstream.md, rosterSync):
verify   checks a signed snapshot or delta as the gateway would: the Ed25519 signature
         against rosterSync.publicKeys (or --pubkey), the estate, the version framing and
         every row; prints its kind, version, signer and digest. Exit 1 when refused.
sign     the district side: signs a roster file (import JSON form) as snapshot N, or a
         changes file {"upsert":{"households":[…]},"moveOut":[…],"terminate":[…]} as the
         delta from N-1 to N, with the private key of \`roster keygen\`.
keygen   makes a key pair: the private key to FILE (0600), the public key printed for the
         gateways' config, with its id and fingerprint.

Options:
  --replace        import: the file is the whole roster: residents missing from it become
                   moved_out, households missing from it terminated (default: merge)
  --dry-run        import: check the file, import nothing
  --pubkey KEY     verify: trust this public key (base64) instead of the config's
  -c, --config FILE
  -h, --help`;

export const HANDOVER_HELP = `Usage: estate-gateway handover verify FILE [--pubkey KEY]…
       estate-gateway handover key [--config FILE]

verify  checks a signed hand-over package (移交城管证据包, the .zip the dashboard
        downloads): the Ed25519 signature of manifest.json, every file's SHA-256 and
        size, and that no file was added. With --pubkey (the gateway's public key, base64)
        the signer must be that key; without, compare the printed fingerprint with the
        one on the cover page and the one the district registered. Exit 1 when refused.
key     prints this gateway's signing key (from the secrets file) and its fingerprint,
        for the district to register.

Options:
  --pubkey KEY     trust only this public key
  -c, --config FILE
  -h, --help`;

export const RUN_HELP = `Usage: estate-gateway run [--config FILE]

Runs the gateway daemon: readers, roster check, journal, alerts, upstream, HTTP API.
Signals: SIGTERM/SIGINT stop in order; SIGHUP reloads the roster from the database.

Options:
  -c, --config FILE   configuration (default: $ESTATE_GATEWAY_CONFIG,
                      /etc/estate-gateway/config.yaml, or the demo defaults)
  -h, --help          this help
Exit codes: 0 stopped, 1 crashed, 78 invalid configuration.`;

export const SIM_HELP = `Usage: estate-gateway sim [--config FILE] [--no-roster] [--broker URL]

Runs the simulated estate against a gateway that is already running with the same
config (\`estate-gateway run\`): face terminals for its mqtt-v1 readers, simulated serial
devices for its readers on tcp://127.0.0.1 ports, cameras for its onvif readers on
http://127.0.0.1 ports (logins added to the secrets file: restart the gateway if it had
none), doors that open when their lock releases, a held-open and a forced door, residents,
strangers and moved-out tenants, and — when upstream.url points at sim.upstreamPort — the simulated district
system. The simulated roster is written into the gateway's
database first (the running gateway picks it up within seconds).

Options:
  -c, --config FILE
  --no-roster       do not import the simulated roster (the gateway already has one)
  --broker URL      broker the terminals connect to (default: the config's)
  -h, --help`;

export const HEALTH_HELP = `Usage: estate-gateway health [--config FILE] [--wait SECONDS]

Asks the running gateway for /healthz and prints it. Exit 0 when the gateway answers
(status ok or degraded: the problems are listed), 1 when it does not answer. With
--wait, keeps asking until it answers or the time is up: the systemd unit uses this to
report the service started only once everything (store, broker link, readers, upstream,
HTTP) is up.

Options:
  -c, --config FILE
  --wait SECONDS   keep trying this long (default 0: ask once)
  -h, --help`;

export const USER_HELP = `Usage: estate-gateway user add NAME --role viewer|operator|admin [options]
       estate-gateway user passwd NAME [options]
       estate-gateway user list

Dashboard accounts. Roles: viewer (sees residents' names masked), operator (ledger
actions, visitors, the audit log), admin (users, configuration). At a terminal the
password is asked for twice (empty: generate one); otherwise a password is generated
and printed once. Only a scrypt hash is stored; passwd ends the user's sessions. Every
change is written to the audit log. Safe beside a running gateway.

Options:
  -r, --role ROLE      role of a new user
  --generate           generate the password (printed once)
  --password-stdin     read the password from the first line of standard input
  -c, --config FILE
  -h, --help`;

export const REPLAY_HELP = `Usage: estate-gateway replay FILE.jsonl [--config FILE] [--data DIR] [--roster FILE]

Pushes a file of reads (one reader protocol v1 event per line with a "reader" field,
{"pass": …} lines, and {"roster": …, "mode": "merge"|"replace"} lines: a roster import at
that point of the file) through the gateway's pipeline, detectors and ledger at full speed,
as offline reads: recorded and checked, never answered. Event time drives the detectors and
the ledger. Prints reads/s, peak RSS and the cases found as one JSON line.

Options:
  --data DIR       data directory (default: the config's); use a fresh one per replay
  --roster FILE    import this roster (JSON or CSV, replacing) before replaying
  --quiet          no progress lines on stderr
  -c, --config FILE
  -h, --help`;

export const SIM_YEAR_HELP = `Usage: estate-gateway sim year --out DIR [--households 5000] [--seed S] [--start YYYY-MM-DD] [--days 365]

Writes a labelled year of a simulated estate into DIR: config.yaml (doors and readers
sized for the households), roster.json, reads.jsonl (residents' rhythms, visitors with
passes, couriers, strangers, holidays, device outages, planted sublets, overcrowding,
lent cards and long absences, and the phenomena below) and labels.json (the planted cases
and hard negatives). Deterministic for the same options. Replay it with
\`estate-gateway replay\`.`;

export const REPORT_HELP = `Usage: estate-gateway report monthly --month YYYY-MM [--format json|csv|pdf] [--config FILE] [--data DIR]

The monthly report (月报): patrol activity, findings by kind and building, cases opened,
closed, overdue and handed over, and the households concerned. Read-only: safe beside a
running gateway. pdf writes an A4 PDF (Chinese font embedded) to stdout:
  estate-gateway report monthly --month 2026-04 --format pdf > 月报-2026-04.pdf
With upstream on, the gateway also sends each month's report there when the month ends
(estate.report.monthly, reports.monthlyUpstream).`;

export const INIT_HELP = `Usage: estate-gateway init [--config FILE] [--owner USER]

The install step before the first start (and after adding readers): creates the secrets
file with random values (the ID-number hash key, the upstream HMAC key, the hand-over
signing key, a password per reader), or adds what it lacks, written atomically with mode 0600; creates the data
directory. The service cannot write /etc/estate-gateway itself (the unit makes it
read-only). Prints the names of what it generated, never the values.

Options:
  -c, --config FILE
  --owner USER     make the secrets file and the data directory USER's (estate-gateway)
  -h, --help`;
