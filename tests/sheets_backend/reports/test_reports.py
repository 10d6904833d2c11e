"""Private reports: one page per student, that student's data only, published in place."""

from __future__ import annotations

import datetime as dt
import re
from datetime import datetime
from html.parser import HTMLParser

import pytest
from workbooks import snapshot_of

import policy_engine
from sheets_backend.gradebook.template import Student, read_gradebook
from sheets_backend.publish.google import (
    Permission,
    readers_for,
    roster_change,
    sharing_change,
)
from sheets_backend.publish.local import (
    SECRET_FILE,
    folder_secret,
    publish_local,
    report_key,
    report_name,
)

XSS = '<script>alert("x")</script>'
CLASS = [
    # id, name, student email, family email, language, assessment only this student has
    ("231004517", "Ana Rivera", "ana.rivera@students.example.org", "rivera.home@example.com",
     "español", "Portfolio conference Ana"),
    ("231004528", "Omar Diallo", "omar.diallo@students.example.org", "diallo.fam@example.com",
     "English", "Lab retake Omar"),
    ("231004539", f"Zoë {XSS}", "zoe.k@students.example.org", "k.family@example.com",
     "中文", "Poster defence Zoe"),
    ("231004540", "Mei Chen", "mei.chen@students.example.org", "chen.parents@example.com",
     "zh-CN", "Oral check-in Mei"),
]


def class_tabs(roster=CLASS):
    return {
        "Roster": [["Student ID", "Student Name", "Student Email", "Family Email",
                    "Family Language"]] + [list(s[:5]) for s in roster],
        "Outcomes": [["Outcome ID", "Outcome"],
                     ["M1", "I can solve one-step equations."],
                     ["L1", "I can cite evidence <b>to</b> support my claim."]],
        "Scores": [
            ["Student ID", "Student Name", "Quiz 1", "Quiz 2", "Essay 1"],
            ["Outcome", "", "M1", "M1", "L1"],
            ["Date", "", datetime(2026, 9, 14), datetime(2026, 9, 21), datetime(2026, 9, 20)],
            ["Type", "", "summative", "summative", "summative"],
        ] + [[s[0], s[1], 3, "MI" if i == 1 else 4, 2] for i, s in enumerate(roster)],
        "Evidence": [["Student ID", "Outcome ID", "Date", "Score", "Assessment", "Type"]] + [
            [s[0], "L1", datetime(2026, 10, 1 + i), 3, s[5], "summative"]
            for i, s in enumerate(roster)],
    }


def publish(tmp_path, roster=CLASS, as_of=None):
    book = read_gradebook(snapshot_of(class_tabs(roster)))
    assert not book.problems
    result = policy_engine.evaluate(
        book.evidence, book.policies, students=[s.id for s in book.students],
        outcomes=[o.id for o in book.outcomes], outcome_policy=book.outcome_policy, as_of=as_of)
    return publish_local(book, result, tmp_path / "reports", as_of=as_of)


def page(path) -> str:
    return path.read_text(encoding="utf-8")


def test_one_report_per_student_named_by_a_hash_never_a_name(tmp_path):
    paths = publish(tmp_path)
    secret = folder_secret(tmp_path / "reports")
    assert [p.name for p in paths] == [report_name(s[0], secret) for s in CLASS]
    for path, student in zip(paths, CLASS, strict=True):
        assert re.fullmatch(r"progress-[0-9a-f]{16}\.html", path.name)
        assert student[0] not in path.name and "rivera" not in path.name.lower()


def test_each_report_holds_nothing_of_any_other_student(tmp_path):
    paths = publish(tmp_path)
    for path, student in zip(paths, CLASS, strict=True):
        text = page(path)
        assert student[1].split()[0] in text and student[5] in text
        for other in CLASS:
            if other is student:
                continue
            for secret in (other[0], other[1].split()[0], other[2], other[3], other[5]):
                assert secret not in text, f"{path.name} shows {secret!r}"


def test_every_teacher_and_student_string_is_escaped(tmp_path):
    text = page(publish(tmp_path)[2])
    assert XSS not in text and "<b>to</b>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "I can cite evidence &lt;b&gt;to&lt;/b&gt; support my claim." in text


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") or (value and re.search(r"https?:|url\(", value)):
                self.external.append(f"{tag} {name}={value}")


def test_a_report_is_self_contained_and_print_friendly(tmp_path):
    text = page(publish(tmp_path)[0])
    parser = _Assets()
    parser.feed(text)
    assert parser.external == []
    assert "script" not in parser.tags and "link" not in parser.tags
    assert "@import" not in text and "url(" not in text
    assert "@media print" in text
    assert '<meta charset="utf-8">' in text


@pytest.mark.parametrize(("index", "lang", "words"), [
    (0, "es", ["Clave de colores", "● Dominado", "Trabajo por entregar",
               "Hasta ahora has alcanzado"]),
    (1, "en", ["Colour key", "● Mastered", "Work to hand in", "So far you have met"]),
    (2, "zh", ["颜色说明", "● 已掌握", "需要补交的作业", "到目前为止"]),
    (3, "zh", ["颜色说明", "学习目标"]),
], ids=["español", "English", "中文", "zh-CN"])
def test_the_family_language_sets_the_lang_and_fixed_words(tmp_path, index, lang, words):
    text = page(publish(tmp_path)[index])
    assert f'<html lang="{lang}">' in text
    for word in words:
        assert word in text
    assert "I can solve one-step equations." in text  # outcome wording stays the teacher's


def test_the_legend_and_statuses_carry_symbols_words_and_colours(tmp_path):
    text = page(publish(tmp_path)[1])
    assert '<li style="background:#8fd1d0">● Mastered</li>' in text
    assert '<li style="background:#fff566">◐ On track</li>' in text
    assert '<li style="background:#ec9393">○ Not Yet</li>' in text
    assert 'data-status="on_track" style="background:#fff566">◐ On track (1 of 3)' in text


def test_missing_work_is_listed_never_scored_and_codes_are_words(tmp_path):
    text = page(publish(tmp_path)[1])  # Omar's Quiz 2 is MI
    assert "<li>Quiz 2 (M1, Sep 21)</li>" in text
    assert "Quiz 2, Sep 21: Missing" in text
    assert not re.search(r">[^<]*\bMI\b", text)


def test_progress_as_of_a_date(tmp_path):
    paths = publish(tmp_path, as_of=dt.date(2026, 9, 30))
    assert "Progress as of September 30, 2026" in page(paths[1])
    assert "Progreso al 30 de septiembre de 2026" in page(paths[0])
    assert "Portfolio conference Ana" not in page(paths[0])  # dated Oct 1: after the date


def test_publishing_again_overwrites_in_place(tmp_path):
    first = publish(tmp_path)
    before = {p.name: page(p) for p in first}
    second = publish(tmp_path)
    assert [p.name for p in second] == list(before)
    assert {p.name: page(p) for p in second} == before
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted(
        [*before, "index.html", SECRET_FILE])  # the teacher's index and the folder's key


def test_a_student_who_left_loses_their_report_and_other_files_stay(tmp_path):
    publish(tmp_path)
    keep = tmp_path / "reports" / "README.txt"
    keep.write_text("the teacher's own file")
    remaining = publish(tmp_path, roster=[s for s in CLASS if s[1] != "Omar Diallo"])
    files = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert report_name("231004528", folder_secret(tmp_path / "reports")) not in files
    assert sorted([p.name for p in remaining] + ["README.txt", "index.html", SECRET_FILE]) == files


# --- Google: who should have access, and what to change -----------------------------------------


def test_readers_are_the_student_and_family_addresses():
    student = Student("1", "Ana", student_email="Ana@School.org",
                      family_email="mom@x.org; dad@y.org, not an address")
    assert readers_for(student) == {"ana@school.org", "mom@x.org", "dad@y.org"}
    assert readers_for(Student("2", "Omar")) == frozenset()


def test_sharing_change_adds_the_missing_and_removes_only_hives_readers():
    current = [
        Permission("p1", "teacher@school.org", "owner"),
        Permission("p2", "coteacher@school.org", "writer"),
        Permission("p3", "old.family@x.org", "reader"),
        Permission("p4", "ana@school.org", "reader"),
        Permission("p5", "counsellor@school.org", "reader", inherited=True),
        Permission("p6", "", "reader", type="anyone"),
    ]
    change = sharing_change({"ana@school.org", "new.family@x.org"}, current)
    assert change.add == ("new.family@x.org",)
    assert [p.id for p in change.remove] == ["p3"]


def test_a_leaver_loses_every_direct_reader_but_never_the_teacher():
    current = [Permission("p1", "teacher@school.org", "owner"),
               Permission("p3", "fam@x.org", "reader"), Permission("p4", "s@x.org", "commenter")]
    change = sharing_change(frozenset(), current)
    assert change.add == () and [p.id for p in change.remove] == ["p3", "p4"]


def test_sharing_change_is_case_insensitive_and_idempotent():
    current = [Permission.from_api({"id": "p", "emailAddress": "Mom@X.org", "role": "reader",
                                    "type": "user"})]
    assert sharing_change({"MOM@x.org"}, current) == sharing_change({"mom@x.org"}, current)
    assert sharing_change({"mom@x.org"}, current).add == ()
    assert sharing_change({"mom@x.org"}, current).remove == ()


def test_inherited_permissions_are_read_from_drive_details():
    data = {"id": "p", "emailAddress": "c@x.org", "role": "reader", "type": "user",
            "permissionDetails": [{"inherited": True, "role": "reader"}]}
    assert Permission.from_api(data).inherited


def test_roster_change_creates_updates_and_retires_by_stable_key():
    keys = [report_key(s) for s in ("s1", "s2", "s3")]
    existing = [(keys[0], "f1"), (keys[1], "f2"), (report_key("left"), "f9"), (keys[1], "dup")]
    change = roster_change(keys, existing)
    assert change.create == (keys[2],)
    assert dict(change.update) == {keys[0]: "f1", keys[1]: "f2"}
    assert change.retire == ("f9", "dup")


def test_report_keys_are_stable_and_do_not_show_the_id():
    assert report_key("231004517") == report_key("231004517")
    assert report_key("231004517") != report_key("231004528")
    assert "231004517" not in report_key("231004517")


def test_a_google_report_is_written_as_the_only_tab_in_the_familys_language(tmp_path):
    """The part of the Google path the local service answers: create, then write the block."""
    from sheets_backend.publish.google import GooglePublisher
    from sheets_backend.reports.content import student_reports
    from sheets_backend.sheets.gateway import SheetsGateway, local_client
    from sheets_backend.sheets.local import LocalSheets

    book = read_gradebook(snapshot_of(class_tabs()))
    result = policy_engine.evaluate(
        book.evidence, book.policies, students=[s.id for s in book.students],
        outcomes=[o.id for o in book.outcomes], outcome_policy=book.outcome_policy)
    ana = student_reports(book, result.outcomes, result.students)[0]
    client = local_client(LocalSheets(), base_delay=0.0, budget=1.0)
    file_id = client.create("Informe de progreso · Ana Rivera").id
    publisher = GooglePublisher(client, "folder", "gradebook")
    publisher._write(file_id, ana)
    publisher._write(file_id, ana)  # again: in place
    snapshot = SheetsGateway(client, file_id).read_snapshot()
    assert [t.title for t in snapshot.tabs] == ["Informe de progreso"]
    assert snapshot.tabs[0].hive_owned
    values = client.open_by_key(file_id).sheet1.get_all_values()
    text = "\n".join(" | ".join(row) for row in values)
    assert values[0][0] == "Ana Rivera"
    assert "Hasta ahora has alcanzado" in text and "So far" not in text
    assert "Omar" not in text and "231004528" not in text


def test_a_late_score_shows_the_score_and_the_word_never_the_code(workbook, base_tabs):
    from sheets_backend.i18n.words import Words
    from sheets_backend.recompute import evaluate_sheet
    from sheets_backend.reports.content import evidence_text, student_reports
    from sheets_backend.sheets.gateway import SheetsGateway, local_client
    from sheets_backend.sheets.local import LocalSheets

    base_tabs["Scores"][4][5] = "3 L"  # S1's Quiz 2, handed in late
    service = LocalSheets()
    sid = service.open_workbook(workbook(base_tabs), autosave=False)
    book, evaluation = evaluate_sheet(SheetsGateway(local_client(service), sid))
    ana = student_reports(book, evaluation.outcomes, evaluation.students)[0]
    m1 = next(line for line in ana.outcomes if line.outcome_id == "M1")
    texts = [evidence_text(Words("en"), e) for e in m1.evidence]
    assert "Quiz 2, Sep 21: 3 (Meeting) (Late)" in texts
    assert not any(" L" in t.replace("Late", "") for t in texts)


def test_a_new_folders_names_cannot_be_worked_out_from_a_student_id(tmp_path):
    paths = publish(tmp_path)
    key_file = tmp_path / "reports" / SECRET_FILE
    assert key_file.exists() and key_file.stat().st_mode & 0o077 == 0  # the teacher's only
    guessable = {report_name(s[0]) for s in CLASS}  # the unkeyed hash anyone can compute
    assert not guessable & {p.name for p in paths}
    assert [p.name for p in publish(tmp_path)] == [p.name for p in paths]  # stable


def test_a_folder_published_before_keeps_its_names_so_shared_links_still_work(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / report_name(CLASS[0][0])).write_text("an older report")
    paths = publish(tmp_path)
    assert [p.name for p in paths] == [report_name(s[0]) for s in CLASS]
    assert not (folder / SECRET_FILE).exists()
