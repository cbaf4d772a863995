"""A started process's output, collected line by line on a thread of its own, so a test can wait
for a line (a server saying it is ready) without sleeping."""
import threading
import time


class OutputLines:
    def __init__(self, proc, stream):
        self.proc = proc
        self.lines = []
        self._changed = threading.Condition()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, regex, timeout):
        """Whether a line matching regex came within timeout (False as soon as the process ended
        without printing one)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if any(regex.search(line) for line in self.lines):
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.proc.poll() is not None:
                    return False
                self._changed.wait(min(remaining, 0.2))

    def text(self):
        return "".join(self.lines)
