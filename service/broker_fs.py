"""kombu's filesystem transport with atomic message files (the embedded broker).

kombu's ``Channel._put`` creates ``<time>_<uuid>.<queue>.msg`` and then
writes it, while ``_get`` moves and reads any such file without a lock: a
consumer can take a message before it is written and die on an empty JSON
document (celery/kombu#1551, seen here as a worker's "Unrecoverable error:
JSONDecodeError"). We write the message under a name no consumer looks at
and rename it into place; a rename within one folder is atomic, so a consumer
only ever sees whole messages.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):  # type: ignore[misc]
    """A filesystem channel whose messages appear whole or not at all."""

    # Same signature as kombu.transport.filesystem.Channel._put (its stubs say otherwise).
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):  # type: ignore[misc]
    """The filesystem transport using :class:`Channel`."""

    Channel = Channel
