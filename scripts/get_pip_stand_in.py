"""Stand-in for ansible-test's pip bootstrap script when its download host cannot be reached.

ansible-test runs ``python get-pip.py <pip options> pip==X setuptools==Y ... [--no-setuptools] [--no-wheel]``
in an empty virtualenv. This does the same with the interpreter's own ensurepip and the machine's
configured package index.
"""

import ensurepip
import os
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
# ensurepip points PIP_CONFIG_FILE at /dev/null; the real install must see the machine's pip config.
os.environ.pop("PIP_CONFIG_FILE", None)
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--upgrade", *args]))
