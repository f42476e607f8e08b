from django.apps import AppConfig


class SubmissionConfig(AppConfig):
    """Online filing: drafts, the online form's steps, uploads, submission, the applicant's own pages and API."""

    name = "egov.submission"
    verbose_name = "Nộp hồ sơ trực tuyến"
