"""The wording shipped with the portal, in Vietnamese and English.

Loaded into ``NotificationTemplate`` rows by a data migration (operators edit them in the
admin) and used as the fallback when a row is missing. Each entry gives the subject and
body used for e-mail and the in-site list, and the SMS text (``None``: no SMS for this
event). Bodies are Django template strings rendered without HTML escaping; the HTML
e-mail wraps the escaped text in ``notifications/email.html``.

Variables of the dossier events: ``citizen_name``, ``code``, ``procedure_name``,
``agency_name``, ``appointment_date``, ``rejection_reason``, ``supplement_request``,
``fee_amount``, ``url``, ``portal_name``, plus what the calling service adds
(``receipt_number``, ``tracking_number``, ``carrier``, ``return_reason``,
``new_appointment_date``, ``missed_date``).
"""

from __future__ import annotations

from portal.notifications.constants import Channel, Event

D = "{{ appointment_date|date:'d/m/Y' }}"
ND = "{{ new_appointment_date|date:'d/m/Y' }}"

DEFAULTS: dict[str, dict[str, tuple[str, str, str | None]]] = {
    Event.DOSSIER_SUBMITTED: {
        "vi": (
            "Hồ sơ {{ code }} đã được tiếp nhận",
            "Kính gửi {{ citizen_name }},\n\n{{ agency_name }} đã tiếp nhận hồ sơ {{ code }} "
            "(thủ tục: {{ procedure_name }}).\nNgày hẹn trả kết quả: " + D + ".\n\n"
            "Theo dõi hồ sơ tại: {{ url }}",
            "Hồ sơ {{ code }} đã được tiếp nhận. Hẹn trả kết quả ngày " + D + ". Tra cứu: {{ url }}",
        ),
        "en": (
            "Dossier {{ code }} received",
            "Dear {{ citizen_name }},\n\n{{ agency_name }} has received dossier {{ code }} "
            "(procedure: {{ procedure_name }}).\nResult expected on " + D + ".\n\nFollow it at: {{ url }}",
            "Dossier {{ code }} received. Result expected on " + D + ". Follow it: {{ url }}",
        ),
    },
    Event.DOSSIER_VALIDATED: {
        "vi": (
            "Hồ sơ {{ code }} hợp lệ",
            "Kính gửi {{ citizen_name }},\n\nHồ sơ {{ code }} (thủ tục: {{ procedure_name }}) đã được "
            "kiểm tra và hợp lệ. {{ agency_name }} đang giải quyết; ngày hẹn trả kết quả: " + D + ".\n"
            "{% if fee_amount %}Lệ phí phải nộp: {{ fee_amount|vnd }}.\n{% endif %}\nChi tiết: {{ url }}",
            "Hồ sơ {{ code }} hợp lệ. Hẹn trả kết quả ngày " + D + ".",
        ),
        "en": (
            "Dossier {{ code }} is valid",
            "Dear {{ citizen_name }},\n\nDossier {{ code }} (procedure: {{ procedure_name }}) has been "
            "checked and is valid. {{ agency_name }} is processing it; result expected on " + D + ".\n"
            "{% if fee_amount %}Fee to pay: {{ fee_amount|vnd }}.\n{% endif %}\nDetails: {{ url }}",
            "Dossier {{ code }} is valid. Result expected on " + D + ".",
        ),
    },
    Event.DOSSIER_SUPPLEMENT_REQUESTED: {
        "vi": (
            "Hồ sơ {{ code }} cần bổ sung giấy tờ",
            "Kính gửi {{ citizen_name }},\n\n{{ agency_name }} đề nghị bổ sung hồ sơ {{ code }} "
            "(thủ tục: {{ procedure_name }}):\n\n{{ supplement_request }}\n\n"
            "Vui lòng bổ sung tại: {{ url }}",
            "Hồ sơ {{ code }} cần bổ sung: {{ supplement_request }}. Chi tiết: {{ url }}",
        ),
        "en": (
            "Dossier {{ code }} needs more papers",
            "Dear {{ citizen_name }},\n\n{{ agency_name }} asks you to complete dossier {{ code }} "
            "(procedure: {{ procedure_name }}):\n\n{{ supplement_request }}\n\nPlease complete it at: {{ url }}",
            "Dossier {{ code }} needs more papers: {{ supplement_request }}. Details: {{ url }}",
        ),
    },
    Event.DOSSIER_RESUBMITTED: {
        "vi": (
            "Đã nhận hồ sơ bổ sung {{ code }}",
            "Kính gửi {{ citizen_name }},\n\n{{ agency_name }} đã nhận giấy tờ bổ sung của hồ sơ {{ code }}. "
            "Ngày hẹn trả kết quả: " + D + ".\n\nTheo dõi hồ sơ tại: {{ url }}",
            "Đã nhận hồ sơ bổ sung {{ code }}. Hẹn trả kết quả ngày " + D + ".",
        ),
        "en": (
            "Additional papers for dossier {{ code }} received",
            "Dear {{ citizen_name }},\n\n{{ agency_name }} has received the additional papers of dossier "
            "{{ code }}. Result expected on " + D + ".\n\nFollow it at: {{ url }}",
            "Additional papers for dossier {{ code }} received. Result expected on " + D + ".",
        ),
    },
    Event.DOSSIER_REJECTED: {
        "vi": (
            "Hồ sơ {{ code }} không được giải quyết",
            "Kính gửi {{ citizen_name }},\n\n{{ agency_name }} từ chối giải quyết hồ sơ {{ code }} "
            "(thủ tục: {{ procedure_name }}).\n\nLý do: {{ rejection_reason }}\n\nChi tiết: {{ url }}",
            "Hồ sơ {{ code }} bị từ chối. Lý do: {{ rejection_reason }}",
        ),
        "en": (
            "Dossier {{ code }} rejected",
            "Dear {{ citizen_name }},\n\n{{ agency_name }} has rejected dossier {{ code }} "
            "(procedure: {{ procedure_name }}).\n\nReason: {{ rejection_reason }}\n\nDetails: {{ url }}",
            "Dossier {{ code }} rejected. Reason: {{ rejection_reason }}",
        ),
    },
    Event.DOSSIER_PROCESSED: {
        "vi": (
            "Đã có kết quả hồ sơ {{ code }}",
            "Kính gửi {{ citizen_name }},\n\nHồ sơ {{ code }} (thủ tục: {{ procedure_name }}) đã có kết quả. "
            "Ông/bà có thể nhận tại {{ agency_name }} hoặc yêu cầu gửi qua bưu điện.\n\nChi tiết: {{ url }}",
            "Hồ sơ {{ code }} đã có kết quả. Nhận tại {{ agency_name }} hoặc qua bưu điện: {{ url }}",
        ),
        "en": (
            "The result of dossier {{ code }} is ready",
            "Dear {{ citizen_name }},\n\nThe result of dossier {{ code }} (procedure: {{ procedure_name }}) "
            "is ready. Collect it at {{ agency_name }} or ask for it by post.\n\nDetails: {{ url }}",
            "The result of dossier {{ code }} is ready. Collect it or ask for it by post: {{ url }}",
        ),
    },
    Event.DOSSIER_DELIVERED: {
        "vi": (
            "Đã trả kết quả hồ sơ {{ code }}",
            "Kính gửi {{ citizen_name }},\n\nKết quả hồ sơ {{ code }} đã được trao. "
            "Cảm ơn ông/bà đã sử dụng dịch vụ công; mời đánh giá mức độ hài lòng tại: {{ url }}",
            "Đã trả kết quả hồ sơ {{ code }}. Cảm ơn ông/bà.",
        ),
        "en": (
            "Result of dossier {{ code }} handed over",
            "Dear {{ citizen_name }},\n\nThe result of dossier {{ code }} has been handed over. "
            "Thank you for using the public services; please rate the service at: {{ url }}",
            "The result of dossier {{ code }} has been handed over. Thank you.",
        ),
    },
    Event.DOSSIER_WITHDRAWN: {
        "vi": (
            "Hồ sơ {{ code }} đã được rút",
            "Kính gửi {{ citizen_name }},\n\nHồ sơ {{ code }} (thủ tục: {{ procedure_name }}) đã được rút "
            "theo đề nghị của ông/bà.\n\nChi tiết: {{ url }}",
            None,
        ),
        "en": (
            "Dossier {{ code }} withdrawn",
            "Dear {{ citizen_name }},\n\nDossier {{ code }} (procedure: {{ procedure_name }}) has been "
            "withdrawn at your request.\n\nDetails: {{ url }}",
            None,
        ),
    },
    Event.DOSSIER_OVERDUE_APOLOGY: {
        "vi": (
            "Thư xin lỗi: hồ sơ {{ code }} bị trễ hẹn",
            "Kính gửi {{ citizen_name }},\n\n{{ agency_name }} thành thật xin lỗi vì hồ sơ {{ code }} "
            "(thủ tục: {{ procedure_name }}) chưa được giải quyết đúng hẹn ngày "
            "{{ missed_date|date:'d/m/Y' }}.\nNgày hẹn trả kết quả mới: " + ND + ".\n\n"
            "Chi tiết: {{ url }}",
            "Xin lỗi: hồ sơ {{ code }} trễ hẹn. Ngày hẹn mới: " + ND + ". {{ agency_name }}",
        ),
        "en": (
            "Our apologies: dossier {{ code }} is late",
            "Dear {{ citizen_name }},\n\n{{ agency_name }} sincerely apologises: dossier {{ code }} "
            "(procedure: {{ procedure_name }}) was not settled by {{ missed_date|date:'d/m/Y' }} as promised.\n"
            "New date for the result: " + ND + ".\n\nDetails: {{ url }}",
            "We apologise: dossier {{ code }} is late. New date: " + ND + ". {{ agency_name }}",
        ),
    },
    Event.FEE_DUE: {
        "vi": (
            "Lệ phí hồ sơ {{ code }}: {{ fee_amount|vnd }}",
            "Kính gửi {{ citizen_name }},\n\nHồ sơ {{ code }} có lệ phí {{ fee_amount|vnd }}. "
            "Ông/bà có thể nộp trực tuyến tại: {{ url }}",
            "Hồ sơ {{ code }}: lệ phí {{ fee_amount|vnd }}. Nộp trực tuyến: {{ url }}",
        ),
        "en": (
            "Fee for dossier {{ code }}: {{ fee_amount|vnd }}",
            "Dear {{ citizen_name }},\n\nDossier {{ code }} has a fee of {{ fee_amount|vnd }}. "
            "You can pay online at: {{ url }}",
            "Dossier {{ code }}: fee {{ fee_amount|vnd }}. Pay online: {{ url }}",
        ),
    },
    Event.PAYMENT_RECEIVED: {
        "vi": (
            "Đã nhận lệ phí hồ sơ {{ code }}",
            "Kính gửi {{ citizen_name }},\n\nĐã nhận {{ amount|default:fee_amount|vnd }} lệ phí hồ sơ {{ code }}."
            "{% if receipt_number %}\nSố biên lai: {{ receipt_number }}.{% endif %}"
            "{% if receipt_url %}\nTải biên lai: {{ receipt_url }}{% endif %}\n\nChi tiết: {{ url }}",
            "Đã nhận {{ amount|default:fee_amount|vnd }} lệ phí hồ sơ {{ code }}."
            "{% if receipt_number %} Biên lai {{ receipt_number }}.{% endif %}",
        ),
        "en": (
            "Fee for dossier {{ code }} received",
            "Dear {{ citizen_name }},\n\nWe have received {{ amount|default:fee_amount|vnd }} for dossier {{ code }}."
            "{% if receipt_number %}\nReceipt number: {{ receipt_number }}.{% endif %}"
            "{% if receipt_url %}\nDownload the receipt: {{ receipt_url }}{% endif %}\n\nDetails: {{ url }}",
            "Received {{ amount|default:fee_amount|vnd }} for dossier {{ code }}."
            "{% if receipt_number %} Receipt {{ receipt_number }}.{% endif %}",
        ),
    },
    Event.SHIPMENT_DISPATCHED: {
        "vi": (
            "Kết quả hồ sơ {{ code }} đang được gửi",
            "Kính gửi {{ citizen_name }},\n\nKết quả hồ sơ {{ code }} đã được giao cho "
            "{{ carrier|default:'bưu điện' }}{% if tracking_number %}, mã vận đơn {{ tracking_number }}{% endif %}.\n\n"
            "Chi tiết: {{ url }}",
            "Kết quả hồ sơ {{ code }} đang được gửi qua bưu điện{% if tracking_number %}, vận đơn "
            "{{ tracking_number }}{% endif %}.",
        ),
        "en": (
            "The result of dossier {{ code }} is on its way",
            "Dear {{ citizen_name }},\n\nThe result of dossier {{ code }} has been handed to "
            "{{ carrier|default:'the post' }}{% if tracking_number %}, tracking number {{ tracking_number }}{% endif %}.\n\n"
            "Details: {{ url }}",
            "The result of dossier {{ code }} is on its way{% if tracking_number %}, tracking "
            "{{ tracking_number }}{% endif %}.",
        ),
    },
    Event.SHIPMENT_DELIVERED: {
        "vi": (
            "Đã giao kết quả hồ sơ {{ code }}",
            "Kính gửi {{ citizen_name }},\n\nBưu điện đã giao kết quả hồ sơ {{ code }}. "
            "Cảm ơn ông/bà đã sử dụng dịch vụ công.\n\nChi tiết: {{ url }}",
            "Đã giao kết quả hồ sơ {{ code }}. Cảm ơn ông/bà.",
        ),
        "en": (
            "Result of dossier {{ code }} delivered",
            "Dear {{ citizen_name }},\n\nThe post has delivered the result of dossier {{ code }}. "
            "Thank you for using the public services.\n\nDetails: {{ url }}",
            "The result of dossier {{ code }} has been delivered. Thank you.",
        ),
    },
    Event.SHIPMENT_RETURNED: {
        "vi": (
            "Chưa giao được kết quả hồ sơ {{ code }}",
            "Kính gửi {{ citizen_name }},\n\nBưu điện chưa giao được kết quả hồ sơ {{ code }} và đã "
            "chuyển trả về {{ agency_name }}.{% if return_reason %}\nLý do: {{ return_reason }}.{% endif %}\n\n"
            "Vui lòng liên hệ {{ agency_name }} hoặc xem chi tiết tại: {{ url }}",
            "Chưa giao được kết quả hồ sơ {{ code }}, đã chuyển trả về {{ agency_name }}.",
        ),
        "en": (
            "Result of dossier {{ code }} could not be delivered",
            "Dear {{ citizen_name }},\n\nThe post could not deliver the result of dossier {{ code }} and has "
            "returned it to {{ agency_name }}.{% if return_reason %}\nReason: {{ return_reason }}.{% endif %}\n\n"
            "Please contact {{ agency_name }} or see: {{ url }}",
            "The result of dossier {{ code }} could not be delivered and went back to {{ agency_name }}.",
        ),
    },
    Event.OFFICIAL_DUE_SOON_DIGEST: {
        "vi": (
            "{{ count }} hồ sơ sắp đến hạn trả kết quả",
            "Kính gửi {{ official_name }},\n\n{{ agency_name }} có {{ count }} hồ sơ đến hạn trả kết quả "
            "trước ngày {{ horizon|date:'d/m/Y' }}:\n\n"
            "{% for d in dossiers %}- {{ d.code }} · {{ d.procedure_name }} · hẹn {{ d.appointment_date|date:'d/m/Y' }}"
            "{% if d.overdue %} (đã trễ hẹn){% endif %}\n{% endfor %}\nXem hàng đợi: {{ admin_url }}",
            None,
        ),
        "en": (
            "{{ count }} dossiers due soon",
            "Dear {{ official_name }},\n\n{{ agency_name }} has {{ count }} dossiers due by "
            "{{ horizon|date:'d/m/Y' }}:\n\n"
            "{% for d in dossiers %}- {{ d.code }} · {{ d.procedure_name }} · due {{ d.appointment_date|date:'d/m/Y' }}"
            "{% if d.overdue %} (overdue){% endif %}\n{% endfor %}\nOpen the queue: {{ admin_url }}",
            None,
        ),
    },
    Event.OFFICIAL_OVERDUE_ALERT: {
        "vi": (
            "Hồ sơ {{ code }} đã trễ hẹn",
            "Kính gửi {{ official_name }},\n\nHồ sơ {{ code }} (thủ tục: {{ procedure_name }}) đã quá ngày hẹn "
            "{{ missed_date|date:'d/m/Y' }}. Công dân đã nhận thư xin lỗi với ngày hẹn mới " + ND + ".\n\n"
            "Xem hồ sơ: {{ admin_url }}",
            None,
        ),
        "en": (
            "Dossier {{ code }} is overdue",
            "Dear {{ official_name }},\n\nDossier {{ code }} (procedure: {{ procedure_name }}) is past its date "
            "{{ missed_date|date:'d/m/Y' }}. The citizen has received an apology with the new date " + ND + ".\n\n"
            "Open the dossier: {{ admin_url }}",
            None,
        ),
    },
}


def default_template(event: str, channel: str, language: str) -> tuple[str, str] | None:
    """(subject, body) shipped for this event, channel and language, or None if there is none."""
    by_language = DEFAULTS.get(event)
    if not by_language or language not in by_language:
        return None
    subject, body, sms = by_language[language]
    if channel == Channel.SMS:
        return None if sms is None else ("", sms)
    return subject, body


def default_rows() -> list[dict[str, str]]:
    rows = []
    for event, by_language in DEFAULTS.items():
        for language in by_language:
            for channel in Channel.values:
                found = default_template(event, channel, language)
                if found:
                    rows.append(
                        {
                            "event": str(event),
                            "channel": channel,
                            "language": language,
                            "subject": found[0],
                            "body": found[1],
                        }
                    )
    return rows
