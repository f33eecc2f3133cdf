"""The answer as speech, made on this machine by espeak-ng's Vietnamese voice and cached.

No outside service: the text is piped to ``espeak-ng -v vi`` and the WAV file is kept in the
default storage under a name derived from the text, so the same answer is synthesised once.
The cache can be deleted at any time; files are made again on demand.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

VOICE_FOLDER = "assistant-voice"
MAX_SPOKEN_CHARS = 3000
TIMEOUT_SECONDS = 20


class VoiceUnavailable(Exception):
    pass


def voice_available() -> bool:
    return shutil.which(getattr(settings, "ASSISTANT_ESPEAK", "espeak-ng")) is not None


def speech_file_name(text: str) -> str:
    digest = hashlib.sha256(f"vi|{text}".encode()).hexdigest()
    return f"{VOICE_FOLDER}/{digest[:2]}/{digest}.wav"


def speech_for(text: str) -> str:
    """The storage name of the WAV file saying ``text``, made if not cached yet."""
    name = speech_file_name(text)
    if default_storage.exists(name):
        return name
    program = shutil.which(getattr(settings, "ASSISTANT_ESPEAK", "espeak-ng"))
    if program is None:
        raise VoiceUnavailable("espeak-ng is not installed")
    with tempfile.TemporaryDirectory(prefix="assistant-voice-") as folder:
        target = Path(folder) / "speech.wav"
        try:
            subprocess.run(  # noqa: S603 — fixed program and arguments; the text goes through stdin
                [program, "-v", "vi", "-s", "150", "--stdin", "-w", str(target)],
                input=text[:MAX_SPOKEN_CHARS].encode(),
                check=True,
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise VoiceUnavailable(str(error)) from error
        with target.open("rb") as handle:
            if not default_storage.exists(name):
                default_storage.save(name, File(handle))
    return name
