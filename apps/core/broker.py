"""kombu's filesystem transport, with atomic writes.

kombu writes a message file in place, so a consumer polling the folder can take the file
before its bytes are written, read it empty and crash the worker (seen under load in
bench/worker_ceiling.py). Here each message is written under a temporary name that consumers
ignore and renamed into place, which is atomic on one filesystem.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.partial"  # `_get` matches on the suffix `.{queue}.msg` only
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
