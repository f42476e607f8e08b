"""Vietnamese names for the third-party apps the admin shows (their own catalogues lack Vietnamese)."""

from axes.apps import AppConfig as AxesConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpConfig
from django_tasks_db.apps import TasksAppConfig


class AxesVietnamese(AxesConfig):
    verbose_name = "Chống dò mật khẩu"


class TotpVietnamese(TotpConfig):
    verbose_name = "Xác thực hai lớp (TOTP)"


class TasksVietnamese(TasksAppConfig):
    verbose_name = "Tác vụ nền"
