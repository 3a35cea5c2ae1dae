#!/usr/bin/env node
// `siteprint-remote …`: the client CLI on its own, for machines that have the SDK but not the server.
import { runRemote } from './program.js';

process.exitCode = await runRemote(process.argv.slice(2), 'siteprint-remote');
