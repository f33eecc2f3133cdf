"""The read-only JSON API of the catalogue (``/api/v1/``), for the mobile app and the hotline.

Plain Django views: four GET endpoints returning JSON need no framework, and the schema in
``procedures/openapi.py`` is tested against what these views return. Errors are
``{"error": {"code", "message", "parameter"}}`` with the message in the language of the
request (the switcher's cookie, else ``Accept-Language``, else Vietnamese).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps

from django.core.paginator import Paginator
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from procedures import selectors
from procedures.constants import LevelCode
from procedures.forms import MAX_QUERY_LENGTH
from procedures.models import Agency, Procedure, Sector
from procedures.openapi import openapi_schema

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
CACHE_SECONDS = 300
TRUE_WORDS = {"1", "true", "yes"}
FALSE_WORDS = {"0", "false", "no"}


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def api_view(view: Callable) -> Callable:
    """GET only; the request's language; 400 on a bad parameter; public cache headers."""

    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        language = translation.get_language_from_request(request)
        with translation.override(language):
            try:
                response = view(request, *args, **kwargs)
            except BadParameter as error:
                response = JsonResponse(
                    {"error": {"code": "invalid_parameter", "parameter": error.parameter, "message": error.message}},
                    status=400,
                )
                patch_cache_control(response, no_store=True)
            else:
                patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        response.headers["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language",))
        return response

    return wrapper


def _not_found(message: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": "not_found", "parameter": None, "message": message}}, status=404)
    patch_cache_control(response, no_store=True)
    return response


def _positive_int(request: HttpRequest, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, _("%(name)s must be a whole number.") % {"name": name}) from None
    if value < 1 or (maximum is not None and value > maximum):
        raise BadParameter(
            name, _("%(name)s must be between 1 and %(maximum)s.") % {"name": name, "maximum": maximum or "∞"}
        )
    return value


def _search_arguments(request: HttpRequest) -> dict:
    allowed = {"q", "level", "sector", "agency", "online", "page", "page_size"}
    for name in request.GET:
        if name not in allowed:
            raise BadParameter(name, _("Unknown parameter %(name)s.") % {"name": name})
    query = request.GET.get("q", "")
    if len(query) > MAX_QUERY_LENGTH:
        raise BadParameter("q", _("q is longer than %(limit)s characters.") % {"limit": MAX_QUERY_LENGTH})
    level = request.GET.get("level") or None
    if level and level not in LevelCode.values:
        raise BadParameter(
            "level", _("Unknown level; use one of: %(values)s.") % {"values": ", ".join(LevelCode.values)}
        )
    sector = request.GET.get("sector") or None
    if sector and not Sector.objects.filter(code=sector).exists():
        raise BadParameter("sector", _("Unknown sector code; see /api/v1/sectors/."))
    agency = request.GET.get("agency") or None
    if agency and not Agency.objects.filter(code=agency, is_active=True).exists():
        raise BadParameter("agency", _("Unknown agency code; see /api/v1/agencies/."))
    online = (request.GET.get("online") or "").lower()
    if online and online not in TRUE_WORDS | FALSE_WORDS:
        raise BadParameter("online", _("online must be true or false."))
    return {
        "query": query,
        "level": level,
        "sector": sector,
        "agency": agency,
        "fully_online": True if online in TRUE_WORDS else False if online in FALSE_WORDS else None,
    }


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _sector(sector: Sector | None) -> dict | None:
    return {"code": sector.code, "name": sector.name} if sector else None


def _level(level) -> dict:
    return {"code": level.code, "name": level.name}


def procedure_summary(request: HttpRequest, procedure: Procedure) -> dict:
    amounts = [fee.amount for fee in procedure.fees.all() if fee.amount is not None]
    return {
        "code": procedure.code,
        "name": procedure.name,
        "url": _absolute(request, procedure.get_absolute_url()),
        "api_url": _absolute(request, reverse("api:procedure", kwargs={"code": procedure.code})),
        "sector": _sector(procedure.sector),
        "levels": [_level(level) for level in procedure.levels.all()],
        "processing_days": _number(procedure.processing_days),
        "processing_time_text": procedure.processing_time_text,
        "online_level": procedure.online_level,
        "fully_online": procedure.is_fully_online,
        "fee_min": min(amounts) if amounts else None,
        "fee_max": max(amounts) if amounts else None,
    }


def _agency(agency: Agency) -> dict:
    return {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "level": _level(agency.level),
        "parent": agency.parent.code if agency.parent_id else None,
        "address": agency.address,
        "phone": agency.phone,
        "email": agency.email,
        "opening_hours": agency.opening_hours,
    }


def _fee(fee) -> dict:
    return {
        "kind": fee.kind,
        "kind_label": fee.get_kind_display(),
        "amount": fee.amount,
        "currency": fee.currency,
        "condition": fee.condition,
        "text": fee.text,
    }


def procedure_document(request: HttpRequest, procedure: Procedure) -> dict:
    channels = []
    for channel in procedure.channels.all():
        channels.append(
            {
                "channel": channel.channel,
                "channel_label": channel.get_channel_display(),
                "time_value": _number(channel.time_value),
                "time_unit": channel.time_unit or None,
                "time_text": channel.time_text,
                "fee_text": channel.fee_text,
                "description": channel.description,
                "fees": [_fee(fee) for fee in channel.fees.all()],
            }
        )
    documents = []
    for document in procedure.documents.all():
        form_url = None
        if document.form_file:
            form_url = _absolute(
                request, reverse("procedures:blank_form", kwargs={"code": procedure.code, "document_id": document.pk})
            )
        documents.append(
            {
                "group": document.group,
                "name": document.name,
                "originals": document.originals,
                "copies": document.copies,
                "is_required": document.is_required,
                "form_name": document.form_name,
                "form_url": form_url,
            }
        )
    return {
        **procedure_summary(request, procedure),
        "online_level_label": procedure.get_online_level_display(),
        "accepts_online": procedure.accepts_online,
        "decision_number": procedure.decision_number,
        "procedure_type": procedure.procedure_type,
        "applicants": procedure.applicants,
        "agencies": [_agency(agency) for agency in procedure.agencies.all()],
        "implementing_agency_text": procedure.implementing_agency_text,
        "channels": channels,
        "fees": [
            {**_fee(fee), "channel": fee.channel.channel if fee.channel_id else None} for fee in procedure.fees.all()
        ],
        "documents": documents,
        "steps": [{"order": step.order, "text": step.text} for step in procedure.steps.all()],
        "results": [{"name": result.name, "code": result.code} for result in procedure.results.all()],
        "result_location": procedure.result_location,
        "conditions": procedure.conditions,
        "legal_bases": [{"title": basis.title, "number": basis.number} for basis in procedure.legal_bases.all()],
        "aliases": [alias.phrase for alias in procedure.aliases.all()],
        "keywords": [word.strip() for word in procedure.keywords.split(",") if word.strip()],
        "updated_at": procedure.updated_at.isoformat(),
    }


@api_view
def procedure_list(request: HttpRequest) -> JsonResponse:
    arguments = _search_arguments(request)
    page_size = _positive_int(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    number = _positive_int(request, "page", 1)
    paginator = Paginator(selectors.procedure_search(**arguments), page_size)
    if number > max(paginator.num_pages, 1):
        raise BadParameter("page", _("There are only %(pages)s pages.") % {"pages": paginator.num_pages})
    page = paginator.page(number)

    def link(page_number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(page_number)
        return _absolute(request, f"{request.path}?{params.urlencode()}")

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "page_size": page_size,
            "num_pages": paginator.num_pages,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [procedure_summary(request, procedure) for procedure in page.object_list],
        }
    )


@api_view
def procedure_detail(request: HttpRequest, code: str) -> JsonResponse:
    try:
        procedure = selectors.procedure_for_page(code=code)
    except Procedure.DoesNotExist:
        return _not_found(_("No active procedure has the code %(code)s.") % {"code": code})
    return JsonResponse(procedure_document(request, procedure))


@api_view
def agency_list(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"results": [_agency(agency) for agency in selectors.agencies_list()]})


@api_view
def sector_list(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"results": [_sector(sector) for sector in selectors.sectors_list()]})


@api_view
def schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        openapi_schema(server_url=_absolute(request, reverse("api:procedures")).rsplit("/procedures/", 1)[0])
    )
