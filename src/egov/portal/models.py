from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.agencies.models import Agency


class SiteProfile(models.Model):
    """What the portal says about itself: name, emblem, contact agency. One row, edited in the admin. The
    province and the agency that runs the portal are not stored here: they come from today's units and agencies
    (``egov.portal.context_processors``), so a reorganisation changes them."""

    portal_name = models.CharField("tên cổng", max_length=200, default="Cổng dịch vụ công trực tuyến")
    emblem = models.ImageField("biểu trưng", upload_to="portal/", blank=True)
    contact_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan đầu mối liên hệ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hotline = models.CharField("đường dây nóng", max_length=30, blank=True)
    visits_before_launch = models.PositiveBigIntegerField(
        "lượt truy cập chuyển từ trang cũ",
        default=0,
        help_text="Tổng lượt truy cập của cổng thông tin cũ, cộng vào bộ đếm.",
    )

    class Meta:
        verbose_name = "thông tin cổng"
        verbose_name_plural = "thông tin cổng"

    def __str__(self) -> str:
        return self.portal_name


class VisitorDay(models.Model):
    day = models.DateField("ngày", primary_key=True)
    visits = models.PositiveIntegerField("lượt truy cập", default=0)

    class Meta:
        verbose_name = "lượt truy cập theo ngày"
        verbose_name_plural = "lượt truy cập theo ngày"

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.visits}"


class VisitorPresence(models.Model):
    """Last time an anonymous visitor (a random id in a signed cookie) loaded a page: "đang online"."""

    visitor = models.CharField(max_length=32, primary_key=True)
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.visitor


class HelpTopic(models.TextChoices):
    """The general help's sections, in the order a citizen meets them."""

    FILING = "filing", _("Nộp hồ sơ trực tuyến")
    LOOKUP = "lookup", _("Tra cứu hồ sơ")
    PAYMENT = "payment", _("Phí, lệ phí và thanh toán")
    RESULTS = "results", _("Nhận kết quả")
    COMPLAINTS = "complaints", _("Phản ánh, kiến nghị, khiếu nại")
    ACCOUNT = "account", _("Tài khoản và dữ liệu cá nhân")


class HelpQuestion(models.Model):
    """A frequently asked question of the general help page; edited in the admin. The English text, when
    filled, is shown to visitors who chose English."""

    topic = models.CharField("chủ đề", max_length=20, choices=HelpTopic.choices)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    question = models.CharField("câu hỏi", max_length=300)
    answer = models.TextField("trả lời", help_text="Mỗi đoạn cách nhau một dòng trống.")
    question_en = models.CharField("câu hỏi (tiếng Anh)", max_length=300, blank=True)
    answer_en = models.TextField("trả lời (tiếng Anh)", blank=True)
    is_published = models.BooleanField("hiển thị", default=True)

    class Meta:
        verbose_name = "câu hỏi thường gặp"
        verbose_name_plural = "câu hỏi thường gặp"
        ordering = ["topic", "position", "id"]

    def __str__(self) -> str:
        return self.question
