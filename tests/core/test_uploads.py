"""core.uploads.check_upload: kinds by name and content, size, sanitized names; the shared bad-file set."""

import pytest
from django.utils import translation

from core import uploads
from core.uploads import TABLE_KINDS, UploadRefused, check_upload, clean_filename

from .upload_cases import BAD_UPLOADS, GOOD_UPLOADS, as_upload, bad_uploads, good_uploads


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=lambda c: c.id)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_bad_documents_are_refused_naming_the_file(case, language):
    with translation.override(language):
        with pytest.raises(UploadRefused) as caught:
            check_upload(as_upload(case))
        assert caught.value.code == case.code
        assert caught.value.messages == [case.message()]


@pytest.mark.parametrize("case", GOOD_UPLOADS, ids=lambda c: c.id)
def test_good_documents_get_the_content_type_of_their_kind_not_the_browsers(case):
    assert check_upload(as_upload(case, content_type="application/x-msdownload")) == (clean_filename(case.name), case.content_type)
    assert clean_filename("现场照片.JPG") == "现场照片.jpg"


@pytest.mark.parametrize("case", bad_uploads(TABLE_KINDS), ids=lambda c: c.id)
def test_bad_tables_are_refused(case):
    with pytest.raises(UploadRefused) as caught:
        check_upload(as_upload(case), kinds=TABLE_KINDS)
    assert caught.value.code == case.code and caught.value.messages == [case.message()]


@pytest.mark.parametrize("case", good_uploads(TABLE_KINDS), ids=lambda c: c.id)
def test_good_tables_are_accepted(case):
    assert check_upload(as_upload(case), kinds=TABLE_KINDS)[1] == case.content_type


def test_a_gbk_csv_is_text():
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("清单.csv", "编码,系统名称\n,长春市政务服务平台\n".encode("gbk"))
    assert check_upload(upload, kinds=TABLE_KINDS) == ("清单.csv", "text/csv")


def test_the_size_limit_is_configurable(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    content = b"%PDF-" + b"a" * 1_200_000
    with pytest.raises(UploadRefused) as caught:
        check_upload(SimpleUploadedFile("a.pdf", content))
    with translation.override("en"):
        assert caught.value.messages == ["“a.pdf” is 1.1 MB; files of at most 1 MB are accepted."]
    assert check_upload(SimpleUploadedFile("a.pdf", content), max_bytes=2 * 1024 * 1024)[1] == "application/pdf"


@pytest.mark.parametrize("typed,clean", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\刘科长\\Desktop\\立项申请书.PDF", "立项申请书.pdf"),
    ("申请\u202efdp.exe.pdf", "申请fdp.exe.pdf"),
    ("a\x00b\x1f\n.pdf", "ab.pdf"),
    ("  .hidden.pdf", "hidden.pdf"),
    ('what?<is>"this"|*.pdf', "what__is__this___.pdf"),
    (".pdf", "file.pdf"),
    ("", "file"),
    ("长" * 300 + ".docx", "长" * 95 + ".docx"),
])
def test_names_are_sanitized_and_keep_chinese(typed, clean):
    assert clean_filename(typed) == clean
    assert len(clean_filename(typed)) <= uploads.NAME_MAX_LENGTH


def test_the_import_form_uses_the_shared_check(users):
    from assets.forms import ImportForm

    case = next(c for c in bad_uploads(TABLE_KINDS) if c.id == "exe-renamed-xlsx")
    with translation.override("en"):
        form = ImportForm({}, {"file": as_upload(case)})
        assert form.errors["file"] == [case.message()]
