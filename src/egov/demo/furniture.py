"""The demo portal's help, frequently asked questions and desk opening hours (data, loaded by ``load_demo``;
safe to run again: nothing is added twice and nothing edited in the admin is overwritten)."""

from __future__ import annotations

import datetime as dt

from egov.agencies.models import Agency, OpeningHours, Weekday
from egov.catalog.models import Procedure, ProcedureQuestion
from egov.portal.models import HelpQuestion, HelpTopic

MORNING = (dt.time(7, 0), dt.time(11, 30))
AFTERNOON = (dt.time(13, 30), dt.time(17, 0))
WORKING_DAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)
# Desks of the province and district levels also receive on Saturday mornings; commune desks do not.
SATURDAY_MORNING_UP_TO_RANK = 2

HELP: list[tuple[str, str, str, str, str]] = [
    (
        HelpTopic.FILING,
        "Tôi cần chuẩn bị gì để nộp hồ sơ trực tuyến?",
        "Bạn cần một tài khoản trên cổng (đăng ký bằng số định danh cá nhân và thư điện tử) và bản chụp hoặc bản "
        "quét rõ nét của từng giấy tờ ghi trong mục “Thành phần hồ sơ” của thủ tục.\n\n"
        "Tệp được nhận ở dạng PDF, JPEG, PNG hoặc DOCX, mỗi tệp không quá 20 MB. Tệp hỏng, tệp có mã độc hoặc "
        "macro bị từ chối, kèm lời giải thích tệp nào và vì sao.",
        "What do I need to file a dossier online?",
        "An account on the portal (sign up with your personal identification number and an e-mail address) and a "
        "clear photograph or scan of each document listed under “Documents” on the procedure's page. Files may be "
        "PDF, JPEG, PNG or DOCX, up to 20 MB each.",
    ),
    (
        HelpTopic.FILING,
        "Nộp hồ sơ ngoài giờ hành chính có được không?",
        "Được. Cổng nhận hồ sơ trực tuyến mọi lúc. Hồ sơ nộp ngoài giờ làm việc, vào ngày nghỉ hoặc ngày lễ được "
        "bộ phận một cửa tiếp nhận vào ngày làm việc tiếp theo; thời hạn giải quyết tính từ lúc tiếp nhận.",
        "Can I file outside office hours?",
        "Yes. The portal accepts dossiers at any time. A dossier filed outside working hours, at a weekend or on a "
        "public holiday is received on the next working day; the time limit runs from its receipt.",
    ),
    (
        HelpTopic.FILING,
        "Đang khai dở thì phải dừng, thông tin đã nhập có mất không?",
        "Không. Mỗi bước được lưu thành hồ sơ đang soạn. Bạn đăng nhập lại, vào “Hồ sơ của tôi” và tiếp tục từ "
        "bước đã dừng.",
        "",
        "",
    ),
    (
        HelpTopic.FILING,
        "Sau khi bấm “Nộp hồ sơ” thì điều gì xảy ra?",
        "Bạn nhận ngay mã hồ sơ và phiếu xác nhận (tệp PDF), đồng thời một thư điện tử. Bộ phận một cửa kiểm tra "
        "hồ sơ: hồ sơ đầy đủ thì được tiếp nhận và hẹn ngày trả kết quả; hồ sơ còn thiếu thì bạn được hướng dẫn "
        "bổ sung một lần đầy đủ những gì còn thiếu; hồ sơ không thuộc thẩm quyền thì bị từ chối kèm lý do.",
        "What happens after I press “Submit”?",
        "You get the dossier code and an acknowledgement (PDF) at once, and an e-mail. The one-stop desk checks "
        "the dossier: complete, it is received with a date for the result; incomplete, you are told once "
        "everything that is missing; outside the agency's competence, it is refused with the reason.",
    ),
    (
        HelpTopic.LOOKUP,
        "Làm sao biết hồ sơ của tôi đang đến bước nào?",
        "Vào “Tra cứu hồ sơ” và nhập mã hồ sơ in trên phiếu xác nhận, không cần đăng nhập. Nếu đã đăng nhập, "
        "“Hồ sơ của tôi” cho thấy toàn bộ diễn biến và các yêu cầu gửi tới bạn.",
        "How do I know where my dossier stands?",
        "Open “Look up a dossier” and type the code printed on the acknowledgement; no sign-in is needed. Signed "
        "in, “My dossiers” shows the whole history and what is asked of you.",
    ),
    (
        HelpTopic.LOOKUP,
        "Mã hồ sơ có dạng thế nào?",
        "Mã hồ sơ gồm mã định danh của cơ quan tiếp nhận, ngày nộp và số thứ tự, ví dụ "
        "000.22.44.H10-181203-0001: hồ sơ số 1 nộp ngày 03/12/2018.",
        "",
        "",
    ),
    (
        HelpTopic.LOOKUP,
        "Người khác biết mã hồ sơ của tôi thì xem được những gì?",
        "Trang tra cứu chỉ hiện tên thủ tục, nơi tiếp nhận, ngày nộp, trạng thái và các mốc xử lý; không hiện họ "
        "tên, số giấy tờ, địa chỉ hay tệp đính kèm.",
        "",
        "",
    ),
    (
        HelpTopic.PAYMENT,
        "Thủ tục tôi làm có mất phí, lệ phí không?",
        "Mức phí, lệ phí và các trường hợp được miễn, giảm ghi ở mục “Phí, lệ phí” trên trang của từng thủ tục. "
        "Nhiều thủ tục không thu lệ phí, ví dụ đăng ký khai sinh, khai tử đúng hạn được miễn lệ phí theo Luật Hộ "
        "tịch.",
        "Is there a fee?",
        "The fee and who is exempt are stated under “Fees” on each procedure's page. Many procedures are free; "
        "birth and death registered within the time limit are exempt under the Law on Civil Status.",
    ),
    (
        HelpTopic.PAYMENT,
        "Nộp phí, lệ phí bằng cách nào?",
        "Khi hồ sơ cần nộp phí, lệ phí, bộ phận một cửa báo cho bạn số tiền và cách nộp (tại bộ phận một cửa hoặc "
        "chuyển khoản theo thông báo). Cổng này chưa nhận thanh toán trực tuyến. Thời gian chờ bạn nộp tiền không "
        "tính vào thời hạn giải quyết hồ sơ.",
        "How do I pay?",
        "When a fee is due the one-stop desk tells you the amount and how to pay (at the desk, or by bank transfer "
        "as the notice says). This portal does not take payments online yet. The time spent waiting for payment "
        "does not count against the time limit.",
    ),
    (
        HelpTopic.RESULTS,
        "Tôi nhận kết quả ở đâu?",
        "Tùy thủ tục và lựa chọn của bạn: tải về trên cổng (tệp PDF có chữ ký số của cơ quan), nhận tại bộ phận "
        "một cửa nơi nộp hồ sơ, hoặc nhận qua dịch vụ bưu chính. Khi nhận tại bộ phận một cửa, hãy mang theo thẻ "
        "căn cước và phiếu xác nhận.",
        "Where do I get the result?",
        "Depending on the procedure and your choice: download it from the portal (a PDF signed digitally by the "
        "agency), collect it at the desk where you filed, or receive it by post. At the desk, bring your identity "
        "card and the acknowledgement.",
    ),
    (
        HelpTopic.RESULTS,
        "Hồ sơ trễ hẹn thì sao?",
        "Khi không trả được kết quả đúng hẹn, cơ quan giải quyết phải gửi bạn văn bản xin lỗi và hẹn lại ngày trả "
        "kết quả (Mẫu số 04 ban hành kèm Nghị định 61/2018/NĐ-CP). Bạn thấy văn bản này trong “Hồ sơ của tôi”.",
        "What if my dossier is late?",
        "When the result cannot be returned on the promised date, the agency sends you a letter of apology with a "
        "new date (form 04 of Decree 61/2018/NĐ-CP), shown in “My dossiers”.",
    ),
    (
        HelpTopic.COMPLAINTS,
        "Tôi muốn phản ánh, kiến nghị về một thủ tục hành chính?",
        "Bạn phản ánh về hành vi của cán bộ, công chức hoặc kiến nghị về quy định hành chính (thủ tục rườm rà, "
        "giấy tờ không cần thiết, …) theo Nghị định 20/2008/NĐ-CP: gửi tới bộ phận kiểm soát thủ tục hành chính "
        "của Văn phòng Ủy ban nhân dân tỉnh, qua đường dây nóng ghi ở chân trang, hoặc mục Phản ánh, kiến nghị "
        "trên Cổng Dịch vụ công quốc gia.",
        "",
        "",
    ),
    (
        HelpTopic.COMPLAINTS,
        "Tôi không đồng ý với quyết định giải quyết hồ sơ?",
        "Bạn có quyền khiếu nại lần đầu tới người đã ra quyết định, hoặc khởi kiện vụ án hành chính tại Tòa án, "
        "theo Luật Khiếu nại năm 2011. Thời hiệu khiếu nại là 90 ngày kể từ ngày bạn nhận được hoặc biết được "
        "quyết định.",
        "",
        "",
    ),
    (
        HelpTopic.ACCOUNT,
        "Tôi quên mật khẩu?",
        "Bấm “Quên mật khẩu?” trên trang đăng nhập và nhập thư điện tử của tài khoản. Đường dẫn đặt lại mật khẩu "
        "được gửi tới thư đó và dùng được trong một giờ.",
        "I forgot my password",
        "Press “Forgot your password?” on the sign-in page and type your account's e-mail. A link to set a new "
        "password is sent there; it works for one hour.",
    ),
    (
        HelpTopic.ACCOUNT,
        "Làm sao tải về dữ liệu của tôi hoặc đóng tài khoản?",
        "Đăng nhập, chọn “Dữ liệu của tôi” ở đầu trang. Tại đó bạn tải về mọi thông tin cổng lưu về bạn và đóng "
        "tài khoản. Hồ sơ đã nộp vẫn được cơ quan nhà nước lưu trữ theo quy định sau khi tài khoản đã đóng.",
        "How do I download my data or close my account?",
        "Sign in and choose “My data” at the top of the page. There you download everything the portal holds "
        "about you and close your account. Filed dossiers are kept by the State as the law requires.",
    ),
]

PROCEDURE_QUESTIONS: dict[str, list[tuple[str, str, str, str]]] = {
    "1.001193": [
        (
            "Trong bao lâu phải đăng ký khai sinh cho con?",
            "Trong 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh cho con; nếu cha, mẹ "
            "không thể đi thì ông, bà, người thân thích khác hoặc cá nhân, tổ chức đang nuôi dưỡng trẻ đăng ký "
            "(Điều 15 Luật Hộ tịch).",
            "How long do I have to register my child's birth?",
            "Within 60 days of the birth, the father or mother registers it; if they cannot, a grandparent, another "
            "relative or whoever is caring for the child does (Article 15 of the Law on Civil Status).",
        ),
        (
            "Đăng ký khai sinh ở đâu?",
            "Tại Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ (Điều 13 Luật Hộ tịch). Trên cổng, "
            "bạn chọn xã, phường nơi cha hoặc mẹ cư trú làm nơi nộp hồ sơ.",
            "Where is the birth registered?",
            "At the commune People's Committee where the father or the mother resides (Article 13 of the Law on "
            "Civil Status).",
        ),
        (
            "Không có giấy chứng sinh thì làm thế nào?",
            "Giấy chứng sinh do cơ sở y tế nơi trẻ sinh ra cấp. Nếu không có, nộp văn bản của người làm chứng xác "
            "nhận việc sinh; nếu không có người làm chứng thì nộp giấy cam đoan về việc sinh. Trẻ bị bỏ rơi thì "
            "nộp biên bản xác nhận việc trẻ bị bỏ rơi (Điều 16 Luật Hộ tịch).",
            "",
            "",
        ),
        (
            "Đăng ký khai sinh có mất lệ phí không?",
            "Đăng ký khai sinh đúng hạn được miễn lệ phí (Điều 11 Luật Hộ tịch).",
            "Is there a fee?",
            "No: a birth registered within the time limit is exempt (Article 11 of the Law on Civil Status).",
        ),
    ],
    "1.000894": [
        (
            "Điều kiện để đăng ký kết hôn là gì?",
            "Nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi; việc kết hôn do hai bên tự nguyện quyết định; không bên nào bị mất "
            "năng lực hành vi dân sự; không thuộc trường hợp cấm kết hôn như đang có vợ hoặc có chồng, kết hôn giữa "
            "những người cùng dòng máu về trực hệ hoặc có họ trong phạm vi ba đời (Điều 8 Luật Hôn nhân và gia "
            "đình năm 2014).",
            "What are the conditions for marriage?",
            "The man is at least 20 and the woman at least 18; both decide freely; neither has lost legal capacity; "
            "and no prohibition applies, such as being already married (Article 8 of the 2014 Law on Marriage and "
            "Family).",
        ),
        (
            "Hai người có phải cùng có mặt không?",
            "Có. Khi đăng ký kết hôn, hai bên nam, nữ phải cùng có mặt tại Ủy ban nhân dân cấp xã để ký vào Giấy "
            "chứng nhận kết hôn và Sổ hộ tịch (Điều 18 Luật Hộ tịch).",
            "Do we both have to come?",
            "Yes. Both must be present at the commune People's Committee to sign the marriage certificate and the "
            "civil status register (Article 18 of the Law on Civil Status).",
        ),
        (
            "Đăng ký kết hôn ở xã nào?",
            "Tại Ủy ban nhân dân cấp xã nơi cư trú của một trong hai bên nam, nữ (Điều 17 Luật Hộ tịch).",
            "",
            "",
        ),
    ],
    "2.000815": [
        (
            "Chứng thực bản sao mất bao nhiêu tiền?",
            "2.000 đồng một trang; từ trang thứ ba trở lên 1.000 đồng một trang, nhưng không quá 200.000 đồng một "
            "bản (Thông tư 226/2016/TT-BTC).",
            "What does it cost?",
            "2,000 dong a page; from the third page 1,000 dong a page, at most 200,000 dong a copy (Circular "
            "226/2016/TT-BTC).",
        ),
        (
            "Có phải chứng thực ở xã nơi tôi cư trú không?",
            "Không. Bạn yêu cầu chứng thực bản sao từ bản chính tại bất kỳ cơ quan có thẩm quyền chứng thực nào, "
            "không phụ thuộc nơi cư trú (Nghị định 23/2015/NĐ-CP).",
            "",
            "",
        ),
        (
            "Giấy tờ nào không được chứng thực bản sao?",
            "Bản chính bị tẩy xóa, sửa chữa, thêm, bớt nội dung không hợp lệ; bị hư hỏng, cũ nát không xác định được "
            "nội dung; đóng dấu mật hoặc ghi rõ không được sao chụp; có nội dung trái pháp luật, đạo đức xã hội; "
            "giấy tờ do nước ngoài cấp chưa được hợp pháp hóa lãnh sự (Điều 22 Nghị định 23/2015/NĐ-CP).",
            "",
            "",
        ),
    ],
    "1.001612": [
        (
            "Ai được đăng ký thành lập hộ kinh doanh?",
            "Cá nhân, nhóm cá nhân hoặc hộ gia đình là công dân Việt Nam đủ 18 tuổi, có năng lực hành vi dân sự đầy "
            "đủ. Mỗi cá nhân chỉ được đăng ký một hộ kinh doanh trên phạm vi toàn quốc (Nghị định 78/2015/NĐ-CP).",
            "Who may register a household business?",
            "Vietnamese citizens aged 18 or over with full legal capacity, alone, in a group or as a household. "
            "Each person may register only one household business in the whole country (Decree 78/2015/NĐ-CP).",
        ),
        (
            "Bao lâu thì có Giấy chứng nhận đăng ký hộ kinh doanh?",
            "Trong 3 ngày làm việc kể từ khi nhận hồ sơ hợp lệ, Phòng Tài chính – Kế hoạch cấp huyện cấp Giấy "
            "chứng nhận đăng ký hộ kinh doanh.",
            "How long does it take?",
            "Within 3 working days of receiving a valid dossier, the district Finance and Planning Office issues "
            "the household business registration certificate.",
        ),
    ],
    "2.000488": [
        (
            "Phiếu lý lịch tư pháp số 1 và số 2 khác nhau thế nào?",
            "Phiếu số 1 cấp cho cá nhân và cơ quan, tổ chức; chỉ ghi án tích chưa được xóa. Phiếu số 2 cấp cho cơ "
            "quan tiến hành tố tụng và cho cá nhân muốn biết đầy đủ lý lịch tư pháp của mình; ghi cả án tích đã "
            "được xóa (Điều 42, 43 Luật Lý lịch tư pháp).",
            "What is the difference between certificates no. 1 and no. 2?",
            "No. 1 is for individuals, agencies and organisations and shows only convictions not yet expunged. "
            "No. 2 is for courts and prosecutors and for a person who wants their full record, expunged "
            "convictions included (Articles 42 and 43 of the Law on Judicial Records).",
        ),
        (
            "Bao lâu thì có phiếu?",
            "Không quá 10 ngày kể từ ngày nhận đủ hồ sơ; không quá 15 ngày với người đã cư trú ở nhiều nơi, người "
            "nước ngoài hoặc khi phải xác minh thêm (Điều 48 Luật Lý lịch tư pháp).",
            "",
            "",
        ),
    ],
}


def load_help() -> int:
    """The general help page's questions; added only when none exist (the admin's edits are kept)."""
    if HelpQuestion.objects.exists():
        return 0
    rows = [
        HelpQuestion(topic=topic, position=index, question=q, answer=a, question_en=q_en, answer_en=a_en)
        for index, (topic, q, a, q_en, a_en) in enumerate(HELP)
    ]
    HelpQuestion.objects.bulk_create(rows)
    return len(rows)


def load_procedure_questions() -> int:
    procedures = Procedure.objects.filter(national_code__in=PROCEDURE_QUESTIONS).exclude(
        questions__isnull=False
    )
    rows = [
        ProcedureQuestion(procedure=p, position=i, question=q, answer=a, question_en=q_en, answer_en=a_en)
        for p in procedures
        for i, (q, a, q_en, a_en) in enumerate(PROCEDURE_QUESTIONS[p.national_code])
    ]
    ProcedureQuestion.objects.bulk_create(rows)
    return len(rows)


def load_opening_hours() -> int:
    """Monday to Friday 7:00–11:30 and 13:30–17:00 at every one-stop desk, and Saturday 7:00–11:30 at the
    desks of the province and the districts; desks that already have hours are left as they are."""
    desks = (
        Agency.objects.current()
        .filter(has_one_stop_desk=True, opening_hours__isnull=True)
        .select_related("unit__kind__level")
    )
    rows = []
    for desk in desks:
        for day in WORKING_DAYS:
            rows += [
                OpeningHours(agency=desk, weekday=day, opens=a, closes=b) for a, b in (MORNING, AFTERNOON)
            ]
        if desk.unit.kind.level.rank <= SATURDAY_MORNING_UP_TO_RANK:
            rows.append(
                OpeningHours(agency=desk, weekday=Weekday.SATURDAY, opens=MORNING[0], closes=MORNING[1])
            )
    OpeningHours.objects.bulk_create(rows)
    return len(rows)


def load_furniture() -> None:
    load_help()
    load_procedure_questions()
    load_opening_hours()
