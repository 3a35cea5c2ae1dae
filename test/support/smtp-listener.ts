import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpListener {
  port: number;
  /** Every message the server accepted, in order. */
  messages: ParsedMail[];
  /** While set, a message's DATA is read but never answered, so the sender never sees it accepted. */
  hold: boolean;
  /** How many messages were read while holding. */
  held: number;
  close(): Promise<void>;
}

/** A real SMTP server on loopback keeping every message it accepts. */
export async function startSmtpListener(options: { hold?: boolean } = {}): Promise<SmtpListener> {
  const listener: SmtpListener = { port: 0, messages: [], hold: options.hold ?? false, held: 0, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then((mail) => {
        if (listener.hold) {
          listener.held += 1;
          return;
        }
        listener.messages.push(mail);
        done();
      }, done);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  listener.port = (server.server.address() as AddressInfo).port;
  listener.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return listener;
}
