import { spawnSync } from 'node:child_process';
import { servicesRequired } from './services.js';

/**
 * A Python 3 that can import httpx (Debian's python3-httpx, which .ci/run installs): PYTHON if
 * set, else python3 on PATH, else the system's /usr/bin/python3 (a pyenv python3 first on PATH
 * does not see Debian's packages). Undefined when none has it; with REQUIRE_SERVICES=1 that is
 * an error, so CI cannot skip the Python suites silently.
 */
export function pythonWithHttpx(): string | undefined {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((candidate): candidate is string => Boolean(candidate));
  const found = candidates.find((python) => spawnSync(python, ['-c', 'import httpx'], { stdio: 'ignore' }).status === 0);
  if (!found && servicesRequired) throw new Error('No python3 with httpx (apt-get install python3-httpx) but REQUIRE_SERVICES=1');
  return found;
}
