"""Loading and checking referrals.yaml: the shipped file is clean, each rule names its line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.config import REFERRALS, DataPaths
from bot.problems import ERROR, WARNING, DataError
from bot.referrals import check_directory, default_path, load_directory
from bot.regions import REGIONS
from tests.auxil.directory import BASE, insert_after, replace_line, write

TODAY = date(2026, 11, 23)
SHIPPED = Path(__file__).resolve().parent.parent / "flows" / "referrals.yaml"


def load_errors(tmp_path: Path, text: str) -> list:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load_directory(path)
    return caught.value.problems


def assert_problem(problems, line: int, *words: str, level: str = ERROR) -> None:
    """Some problem of `level` sits on `line` and its message holds every word."""
    for problem in problems:
        text = str(problem)
        same_place = problem.level == level and problem.where.line == line
        if same_place and all(word in text for word in words):
            assert f"referrals.yaml:{line}: {level}" in text
            return
    listing = "\n".join(str(p) for p in problems)
    pytest.fail(f"no {level} on line {line} with {words}; got:\n{listing}")


# ---- the shipped directory ----------------------------------------------------------------


def test_shipped_file_loads_without_errors():
    directory = load_directory(SHIPPED)
    problems = check_directory(directory, date.today())  # coordinators date it as they check
    assert [str(p) for p in problems if p.level == ERROR] == []
    assert len(directory.entries) >= 15


def test_shipped_file_covers_every_region_and_follows_the_rules():
    directory = load_directory(SHIPPED)
    for region in REGIONS:
        shown = directory.for_region(region)
        assert shown, f"nothing for {region}"
        assert directory.emergency_for(region)[0].phone == "112"
    for entry in directory.entries:
        assert entry.source and entry.last_verified is not None
        if entry.status == "unverified":
            backup = directory.get(entry.alternative)
            assert backup is not None and backup.verified
    assert directory.get("mannenklap").phone is None  # not confirmed: no invented number
    assert directory.get("mannenklap").status == "inactive"  # nothing after 2017: never shown
    assert directory.get("mannenlijn").status == "inactive"  # no trace: out of sight until phoned
    assert directory.get("politie_101").emergency is True


def test_shipped_entries_say_how_they_were_checked_and_speak_a_language():
    directory = load_directory(SHIPPED)
    for entry in directory.entries:
        assert entry.checked_how in ("phoned", "website", "document", "news"), entry.key
        assert entry.checked_by and entry.languages, entry.key
    assert not any(e.checked_how == "phoned" for e in directory.entries)  # nobody phoned yet
    assert str(directory.get("caw").source_date) == "2017"  # the card says "uit 2017"


def test_shipped_lines_added_on_2026_11_29():
    """Item 6 and 7 of issue 9: each with its own source; the comments say how it was found."""
    directory = load_directory(SHIPPED)

    def facts(key):
        e = directory.get(key)
        return (e.phone, e.status, e.regions, e.languages, e.hours and e.hours.always)

    assert facts("tele_accueil") == ("107", "verified", ("BE-WAL-BRU",), ("fr",), True)
    assert facts("zelfmoordlijn_1813")[1] == "verified"
    assert directory.get("zelfmoordlijn_1813").alternative is None
    assert facts("centrum_seksueel_geweld") == ("0800-0188", "verified", ("NL",), ("nl",), True)
    assert facts("juridisch_loket")[:2] == ("0900-8020", "verified")
    loket = directory.get("juridisch_loket")
    assert not loket.free and not loket.anonymous and loket.hours is None  # hours unconfirmed
    assert facts("lumi")[:2] == ("0800 99 533", "unverified")
    # Its own page, VTM and a later list say 96 316; one page alone says 96 136.
    assert facts("transgender_infopunt")[:2] == ("0800 96 316", "unverified")
    assert directory.get("veilig_huis").status == "inactive"  # no website of its own found
    for key in ("caw_slachtofferhulp", "aide_victimes_fwb"):
        assert directory.get(key).website and directory.get(key).verified, key


def test_shipped_chats_are_entries_of_their_own():
    """A chat keeps its own hours (or none), so a card never claims the phone's 24/7 for it."""
    directory = load_directory(SHIPPED)
    for key in ("veilig_thuis_chat", "lijn_1712_chat", "tele_onthaal_chat"):
        chat = directory.get(key)
        assert chat.chat_url and chat.phone is None and chat.verified, key
    assert directory.get("veilig_thuis_chat").when_closed == "veilig_thuis"
    assert not directory.get("lijn_1712_chat").anonymous  # the chat keeps the IP address
    assert directory.get("zelfmoordpreventie_113").chat_url == "https://www.113.nl"


def test_flow_keys_exist_in_shipped_file():
    """Every referral key the flows name is in the directory (flows are someone else's files)."""
    from ruamel.yaml import YAML

    keys: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for name, value in node.items():
                if name == "referrals" and isinstance(value, list):
                    for item in value:
                        for found in [item] if isinstance(item, str) else item.values():
                            keys.update([found] if isinstance(found, str) else found)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for flow in SHIPPED.parent.glob("*.yaml"):
        if flow.name != "referrals.yaml":
            walk(YAML(typ="safe").load(flow.read_text(encoding="utf-8")))
    directory = load_directory(SHIPPED)
    assert sorted(k for k in keys if directory.get(k) is None) == []


def test_the_referral_file_follows_the_settings(tmp_path):
    assert default_path() == SHIPPED
    assert DataPaths.from_env({}).referrals_file == SHIPPED
    other = tmp_path / "other.yaml"
    assert DataPaths.from_env({REFERRALS: str(other)}).referrals_file == other


# ---- each rule, on a small broken copy ------------------------------------------------------


def test_unknown_field_suggests_the_right_one(tmp_path):
    problems = load_errors(tmp_path, replace_line(BASE, 3, '  phon: "0800-2000"'))
    assert_problem(problems, 3, "vt", "'phon'", "did you mean 'phone'")


def test_missing_required_field_points_at_the_entry(tmp_path):
    problems = load_errors(tmp_path, replace_line(BASE, 16, "  # source removed"))
    assert_problem(problems, 12, "lijn", "'source' is missing")


@pytest.mark.parametrize(
    ("line", "new", "words"),
    [
        (28, "  regions: [BE-VL]", ("'BE-VL' is not a region code", "did you mean 'BE-VLG'")),
        (5, "  regions: []", ("regions must be a list",)),
        (3, '  phone: "0800-12"', ("'0800-12' is not a valid number in the Netherlands",)),
        (3, "  phone: 08002000", ("write the phone number in quotes", "leading 0")),
        (25, '  phone: "17122"', ("'17122' is not a valid number in Belgium",)),
        (3, '  phone: "call us"', ("is not a phone number",)),
        (6, '  source: "www.veiligthuis.nl"', ("source", "must start with https://")),
        (6, '  source: "ftp://veiligthuis.nl"', ("must start with https://",)),
        (6, '  source: "https://veiligthuis"', ("not a complete web address",)),
        (7, "  last_verified: 23-11-2026", ("last_verified must be a date",)),
        (8, "  status: verifed", ("status 'verifed' is not known", "did you mean 'verified'")),
        (41, '  free: "ja"', ("free must be true or false",)),
        (4, '  hours: "always"', ("'always' needs days and times",)),
        (27, '    mon-fri: "9-17"', ("'9-17' is not a time range", "09:00-17:00")),
        (27, '    maandag: "09:00-17:00"', ("'maandag' is not a day",)),
        (27, '    fri-mon: "09:00-17:00"', ("runs backwards",)),
        (27, '    mon-fri: "09:00-25:00"', ("does not exist",)),
        (27, "    mon-fri: 9", ("write the times in quotes",)),
        (4, '  hours: "mon-fri 09:00-17:00; sat"', ("'sat' needs days and times",)),
        (1, "Veilig Thuis:", ("cannot be used as a key",)),
        (19, "  alternative: vtt", ("alternative 'vtt' is not an entry", "did you mean 'vt'")),
        (19, "  alternative: lijn", ("points at the entry itself",)),
        (32, "  when_closed: telee", ("when_closed 'telee' is not an entry", "'tele'")),
    ],
)
def test_each_bad_value_is_named_on_its_line(tmp_path, line, new, words):
    problems = load_errors(tmp_path, replace_line(BASE, line, new))
    assert_problem(problems, line, *words)


def test_hours_problem_in_a_second_range_and_overlap(tmp_path):
    text = replace_line(BASE, 27, '    mon-fri: "09:00-12:00, 11:00-17:00"')
    problems = load_errors(tmp_path, text)
    assert_problem(problems, 26, "overlap")
    text = insert_after(BASE, 27, '    fri: "18:00-20:00"')
    assert_problem(load_errors(tmp_path, text), 28, "friday is given twice")


def test_bad_timezone_is_named(tmp_path):
    text = insert_after(BASE, 27, "  timezone: Europe/Brusels")
    assert_problem(load_errors(tmp_path, text), 28, "not a time zone", "Europe/Brussels")


def test_unverified_needs_an_alternative(tmp_path):
    problems = load_errors(tmp_path, replace_line(BASE, 19, "  # no alternative"))
    assert_problem(problems, 12, "lijn is unverified", "needs an 'alternative'")


def test_alternative_must_be_verified_and_active_and_for_the_same_region(tmp_path):
    inactive = replace_line(BASE, 8, "  status: inactive")
    assert_problem(load_errors(tmp_path, inactive), 19, "alternative 'vt' is inactive")
    other_region = replace_line(BASE, 19, "  alternative: tele")
    assert_problem(load_errors(tmp_path, other_region), 19, "does not serve any of its regions")
    # tele -> vlg is fine on its own, but then vlg (now unverified) cannot back up tele
    text = replace_line(BASE, 45, "  status: unverified\n  alternative: vlg")
    text = replace_line(text, 31, "  status: unverified\n  alternative: tele")
    problems = load_errors(tmp_path, text)
    assert_problem(problems, 32, "vlg: alternative 'tele' is unverified", "must be a verified")
    assert_problem(problems, 47, "tele: alternative 'vlg' is unverified")


def test_when_closed_must_be_active(tmp_path):
    text = replace_line(BASE, 45, "  status: inactive")
    assert_problem(load_errors(tmp_path, text), 32, "when_closed 'tele' is inactive")


def test_verified_entry_needs_a_way_to_reach_it(tmp_path):
    text = replace_line(BASE, 3, "  # no phone")
    assert_problem(load_errors(tmp_path, text), 1, "needs a phone, website or chat_url")


def test_yaml_syntax_error_is_a_problem_with_a_line(tmp_path):
    text = replace_line(BASE, 14, '    phone: "0800-31000"')
    problems = load_errors(tmp_path, text)
    assert len(problems) == 1
    assert str(problems[0]).split("referrals.yaml:", 1)[1] == (
        "14: error: this line is not lined up with the lines above it: the names in one block "
        "start in the same column, and the items of a list each start with '- ' in the same "
        "column (indent with spaces)"
    )


def test_duplicate_key_is_a_problem_not_a_traceback(tmp_path):
    problems = load_errors(tmp_path, insert_after(BASE, 3, '  phone: "0800-2001"'))
    assert problems[0].message == "the name 'phone' appears twice in the same block"
    assert problems[0].where.line == 4


def test_empty_and_missing_files_are_explained(tmp_path):
    empty = load_errors(tmp_path, "# nothing yet\n")
    assert [str(p) for p in empty] == [
        f"{tmp_path / 'referrals.yaml'}:1: error: the file is empty; it needs at least one entry"
    ]
    with pytest.raises(DataError) as caught:
        load_directory(tmp_path / "nope.yaml")
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'nope.yaml'}:1: error: the referral file does not exist "
        "(check the path or FIRSTCONTACT_REFERRALS)"
    ]


def test_short_numbers_are_valid_per_country(tmp_path):
    text = replace_line(BASE, 3, '  phone: "112"\n  emergency: true')
    directory = load_directory(write(tmp_path, text))
    assert directory.get("vt").phone == "112"
    text = replace_line(BASE, 38, '  phone: "101"\n  emergency: true')
    assert load_directory(write(tmp_path, text)).get("tele").phone == "101"


def test_warnings_for_costly_free_number_and_unmarked_emergency(tmp_path):
    text = replace_line(BASE, 3, '  phone: "0900-8844"\n  free: true')
    directory = load_directory(write(tmp_path, text))
    assert_problem(check_directory(directory, TODAY), 4, "usually cost money", level=WARNING)


def test_an_emergency_number_in_place_of_a_helpline_is_refused(tmp_path):
    for number in ("112", "911"):
        text = replace_line(BASE, 3, f'  phone: "{number}"')
        assert messages(tmp_path, text) == [
            f"{where(tmp_path, 3)}: error: vt: {number} is an emergency number, not this line's "
            "own number; write the line's number (the bot shows 112 on a card of its own), or "
            "add emergency: true if this entry is the emergency service"
        ]


def test_a_number_typed_another_way_is_named_in_its_one_spelling(tmp_path):
    directory = load_directory(write(tmp_path, replace_line(BASE, 3, '  phone: "+31 800 2000"')))
    assert [str(p) for p in check_directory(directory, TODAY)] == [
        f"{where(tmp_path, 3)}: warning: vt: write the phone number as 0800-2000 (one spelling "
        "for every number; 'firstcontact referrals set' writes it so)"
    ]


def test_a_plain_http_website_is_a_warning(tmp_path):
    text = replace_line(BASE, 3, '  phone: "0800-2000"\n  website: "http://www.veiligthuis.nl"')
    directory = load_directory(write(tmp_path, text))
    assert [str(p) for p in check_directory(directory, TODAY)] == [
        f"{where(tmp_path, 4)}: warning: vt: website starts with http://, so anyone on his "
        "network can see or change the page he opens; find its https:// address"
    ]


def test_last_verified_in_the_future_is_an_error(tmp_path):
    future = replace_line(BASE, 30, "  last_verified: 2026-12-01")
    directory = load_directory(write(tmp_path, future))
    assert_problem(check_directory(directory, TODAY), 30, "vlg", "in the future")


def test_old_check_is_a_warning_after_180_days(tmp_path):
    old = replace_line(BASE, 44, "  last_verified: 2026-05-26")
    problems = check_directory(load_directory(write(tmp_path, old)), TODAY)
    assert_problem(problems, 44, "tele", "181 days ago", "referrals verify tele", level=WARNING)
    fresh = load_directory(write(tmp_path, replace_line(BASE, 44, "  last_verified: 2026-05-27")))
    assert check_directory(fresh, TODAY) == []


def test_inactive_entries_are_kept_but_not_offered(tmp_path):
    text = replace_line(BASE, 19, "  alternative: vt")
    text = replace_line(text, 18, "  status: inactive")
    directory = load_directory(write(tmp_path, text))
    assert "lijn" not in [e.key for e in directory.for_region("NL")]
    assert "lijn" in [e.key for e in directory.for_region("NL", include_inactive=True)]


def test_leuven_also_gets_flemish_entries(tmp_path):
    directory = load_directory(write(tmp_path, BASE))
    assert [e.key for e in directory.for_region("BE-LEUVEN")] == ["vlg", "tele"]
    assert [e.key for e in directory.for_region("NL")] == ["vt", "lijn"]


def test_one_broken_entry_gives_one_message_not_one_per_dependant(tmp_path) -> None:
    """Entries that lean on a broken one are not reported again as 'not an entry'."""
    text = default_path().read_text("utf-8").replace('phone: "0800-2000"', 'phone: "0800-2"', 1)
    path = tmp_path / "referrals.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(DataError) as info:
        load_directory(path)
    messages = [p.message for p in info.value.problems if p.level == ERROR]
    assert len(messages) == 1 and messages[0].startswith("veilig_thuis: phone"), messages


# ---- how, by whom and when the source was written: each rule pinned whole --------------------


def messages(tmp_path: Path, text: str) -> list[str]:
    """Every problem of a broken file, as `referrals check` prints it."""
    return [str(p) for p in load_errors(tmp_path, text)]


def where(tmp_path: Path, line: int) -> str:
    return f"{tmp_path / 'referrals.yaml'}:{line}"


def test_missing_check_fields_and_languages_name_what_to_write(tmp_path):
    text = BASE.replace(
        "  languages: [nl]\n  checked_how: website\n  checked_by: coordinator\n", "", 1
    )
    assert messages(tmp_path, text) == [
        f"{where(tmp_path, 1)}: error: vt: 'languages' is missing; write the languages the line "
        "answers in, like languages: [nl] or [fr, nl]",
        f"{where(tmp_path, 1)}: error: vt: 'checked_how' is missing; write how it was checked: "
        "phoned, website (the organisation's own page), document or news (a news item or "
        "another site's page)",
        f"{where(tmp_path, 1)}: error: vt: 'checked_by' is missing; write who checked it: a "
        "coordinator's name or a role, like coordinator",
    ]


@pytest.mark.parametrize(
    ("line", "new", "message"),
    [
        (
            10,
            "  checked_how: webiste",
            "vt: checked_how 'webiste' is not known (did you mean 'website'?)",
        ),
        (
            10,
            "  checked_how: called",
            "vt: checked_how 'called' is not known; use phoned, website (the organisation's own "
            "page), document or news (a news item or another site's page)",
        ),
        (
            11,
            "  checked_by: jan@example.org",
            "vt: checked_by 'jan@example.org' must be a name or a role, like coordinator, in at "
            "most 60 characters: no e-mail address, phone number or web address",
        ),
        (
            11,
            '  checked_by: "06-12345678"',
            "vt: checked_by '06-12345678' must be a name or a role, like coordinator, in at most "
            "60 characters: no e-mail address, phone number or web address",
        ),
        (
            9,
            "  languages: []",
            "vt: languages must be a list of at least one language, like [nl, fr]",
        ),
    ],
)
def test_bad_check_fields_are_refused_with_plain_words(tmp_path, line, new, message):
    assert messages(tmp_path, replace_line(BASE, line, new)) == [
        f"{where(tmp_path, line)}: error: {message}"
    ]


def test_a_website_check_needs_the_page_it_read(tmp_path):
    text = replace_line(BASE, 6, '  source: "Veilig Thuis, folder"')
    assert messages(tmp_path, text) == [
        f"{where(tmp_path, 6)}: error: vt: checked_how is website, but source is not a web "
        "address; write the page you read, like https://www.example.nl/contact"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "2017-13-01",
            "the date 2017-13-01 does not exist; write a real date as YYYY-MM-DD",
        ),
        (
            '"long ago"',
            "vt: source_date must be a year like 2017, a date like 2017-03-08, or 'before 2020'",
        ),
        (
            "2026-11-02",
            "vt: source_date 2026-11-02 is after last_verified 2026-11-01; a source cannot be "
            "read before it was written",
        ),
        (
            "2027",
            "vt: source_date 2027 is after last_verified 2026-11-01; a source cannot be read "
            "before it was written",
        ),
    ],
)
def test_a_bad_source_date_is_refused(tmp_path, value, message):
    text = insert_after(BASE, 6, f"  source_date: {value}")
    assert messages(tmp_path, text) == [f"{where(tmp_path, 7)}: error: {message}"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("2017", "2017"), ("2019-12-20", "2019-12-20"), ('"before 2020"', "before 2020")],
)
def test_a_source_date_is_a_year_a_day_or_before_a_year(tmp_path, value, shown):
    text = insert_after(BASE, 6, f"  source_date: {value}")
    entry = load_directory(write(tmp_path, text)).get("vt")
    assert str(entry.source_date) == shown and entry.source_date.old


def test_a_source_date_on_a_phoned_entry_is_a_warning(tmp_path):
    text = replace_line(insert_after(BASE, 6, "  source_date: 2017"), 11, "  checked_how: phoned")
    text = text.replace('  source: "https://veiligthuis.nl"', '  source: "phoned on 2026-11-01"')
    directory = load_directory(write(tmp_path, text))
    assert [str(p) for p in check_directory(directory, TODAY)] == [
        f"{where(tmp_path, 7)}: warning: vt: source_date is not shown when checked_how is "
        "phoned; remove it"
    ]


# ---- a number out of service never comes back ----------------------------------------------


@pytest.mark.parametrize(
    "written", ['"0800-3200032"', '"0800 320 00 32"', '"+31 800 3200032"', '"08003200032"']
)
def test_hear_my_voice_is_refused_however_it_is_written(tmp_path, written):
    assert messages(tmp_path, replace_line(BASE, 3, f"  phone: {written}")) == [
        f"{where(tmp_path, 3)}: error: 0800-3200032 (Hear my Voice) has been out of service "
        "since 1 July 2020: it must never appear in this file, not even in a comment; remove it"
    ]


def test_hear_my_voice_is_refused_in_a_comment_too(tmp_path):
    text = insert_after(BASE, 1, "  # old list: Hear my Voice, 0800-3200032 (weekdays)")
    assert messages(tmp_path, text) == [
        f"{where(tmp_path, 2)}: error: 0800-3200032 (Hear my Voice) has been out of service "
        "since 1 July 2020: it must never appear in this file, not even in a comment; remove it"
    ]


def test_the_shipped_directory_holds_no_retired_number():
    text = SHIPPED.read_text(encoding="utf-8")
    assert "3200032" not in text.replace(" ", "").replace("-", "")


# ---- check_every_days: each entry's own time to its next check --------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "soon",
            "vt: check_every_days must be a whole number of days, like 90 (not 'soon'); "
            "leave it out for every 180 days",
        ),
        (
            "90.5",
            "vt: check_every_days must be a whole number of days, like 90 (not '90.5'); "
            "leave it out for every 180 days",
        ),
        (
            "true",
            "vt: check_every_days must be a whole number of days, like 90 (not 'true'); "
            "leave it out for every 180 days",
        ),
        (
            "0",
            "vt: check_every_days is 0; the shortest is 7 (a check every week): nobody "
            "keeps up a shorter one, and the entry would be overdue most days",
        ),
        (
            "-30",
            "vt: check_every_days is -30; the shortest is 7 (a check every week): nobody "
            "keeps up a shorter one, and the entry would be overdue most days",
        ),
        (
            "3650",
            "vt: check_every_days is 3650; the longest is 365 (a check every year): an older "
            "check is no check of a line a man may call in danger",
        ),
    ],
)
def test_a_bad_check_interval_is_refused_in_plain_words(tmp_path, value, message):
    text = insert_after(BASE, 11, f"  check_every_days: {value}")
    assert messages(tmp_path, text) == [f"{where(tmp_path, 12)}: error: {message}"]


def test_an_entry_without_an_interval_is_due_after_180_days(tmp_path):
    from bot.referrals.checks import next_check_due

    entry = load_directory(write(tmp_path, BASE)).get("vt")
    assert entry.check_every_days == 180
    assert next_check_due(entry) == date(2027, 4, 30)


def test_an_entry_is_overdue_after_its_own_interval(tmp_path):
    """vt every 30 days is overdue on day 31; tele (the default) is not; the message says so."""
    text = insert_after(BASE, 11, "  check_every_days: 30")
    directory = load_directory(write(tmp_path, text))
    day_30, day_31 = date(2026, 12, 1), date(2026, 12, 2)
    assert check_directory(directory, day_30) == []
    assert [str(p) for p in check_directory(directory, day_31)] == [
        f"{where(tmp_path, 7)}: warning: vt: its check was due on 2026-12-01 (last checked 31 "
        "days ago, 2026-11-01; due every 30 days); please check it again and run "
        "`firstcontact referrals verify vt`"
    ]


def test_shipped_emergency_numbers_and_round_the_clock_lines_are_checked_more_often():
    directory = load_directory(SHIPPED)
    for entry in directory.entries:
        urgent = entry.emergency or (entry.hours is not None and entry.hours.always)
        assert entry.check_every_days == (90 if urgent else 180), entry.key
