from __future__ import annotations

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from applications.models import Dossier, DossierPaper
from applications.selectors import dossier_for_viewer
from applications.uploads import sanitize_filename


def _viewable(request, public_id) -> Dossier:
    try:
        return dossier_for_viewer(user=request.user, public_id=public_id)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc


def _attachment(field_file, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=sanitize_filename(filename), content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def paper_download(request, public_id, paper_id: int):
    dossier = _viewable(request, public_id)
    try:
        paper = DossierPaper.objects.get(dossier=dossier, pk=paper_id)
    except DossierPaper.DoesNotExist as exc:
        raise Http404 from exc
    return _attachment(paper.file, paper.original_name, paper.content_type)


@require_GET
def result_download(request, public_id):
    dossier = _viewable(request, public_id)
    if not dossier.result_file:
        raise Http404
    from applications.uploads import CANONICAL_EXTENSION

    extension = dossier.result_file.name.rpartition(".")[2]
    content_type = {v: k for k, v in CANONICAL_EXTENSION.items()}.get(extension, "application/octet-stream")
    return _attachment(dossier.result_file, f"ket-qua-{dossier.code}.{extension}", content_type)
