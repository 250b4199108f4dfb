"""A console session over the daemon's Unix socket, spoken as stratumctl speaks it: one command
per line; each reply ends with a line "." (done) or ".!" (refused)."""
import socket


class Console:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.file = self.sock.makefile("rw")

    def ask(self, line):
        """The reply to one command, its end line left out."""
        self.file.write(line + "\n")
        self.file.flush()
        out = []
        for reply in self.file:
            if reply in (".\n", ".!\n"):
                return "".join(out)
            out.append(reply)
        raise EOFError("the daemon closed the console")
