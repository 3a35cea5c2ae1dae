import type { Db } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import { randomToken } from './secrets.js';
import { SETUP_TOKEN_SETTING } from './setup-token.js';
import { UsersRepository } from './users.repository.js';

/** Prints the setup token while the instance has no administrator (see setup-token.ts). */
export class FirstAdminSetup {
  private readonly users: UsersRepository;
  private readonly settings: SettingsRepository;

  constructor(
    db: Db,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly publicUrl: string,
  ) {
    this.users = new UsersRepository(db);
    this.settings = new SettingsRepository(db);
  }

  /**
   * At start: while no system administrator exists, prints the setup token (made on first need,
   * the same on every start until it is used) in one log line and returns it; otherwise retires
   * any token left over (an administrator made with `siteprint admin create`).
   */
  async announce(): Promise<string | undefined> {
    if (await this.users.hasSystemAdmin()) {
      await this.settings.delete(SETUP_TOKEN_SETTING);
      return undefined;
    }
    const { token } = await this.ensureToken();
    this.log(token);
    return token;
  }

  /**
   * For a registration refused for want of a token: makes sure there is one to find in the log,
   * printing it only when it is new, so refused requests cannot fill the log with it.
   */
  async ensureAnnounced(): Promise<void> {
    const { token, created } = await this.ensureToken();
    if (created) this.log(token);
  }

  private async ensureToken(): Promise<{ token: string; created: boolean }> {
    const fresh = randomToken();
    const stored = await this.settings.setIfAbsent(SETUP_TOKEN_SETTING, fresh);
    return { token: String(stored.value), created: stored.value === fresh };
  }

  private log(token: string): void {
    const registerUrl = `${this.publicUrl.replace(/\/$/, '')}/register#setup-token=${token}`;
    // The one place the token is logged: this is how the operator receives it.
    this.logger.warn(
      { setupUrl: registerUrl },
      `No administrator yet. Create the first account (it becomes the system administrator) at ${registerUrl} — or give setup token ${token} when registering — or run: siteprint admin create --email … --password …`,
    );
  }
}
