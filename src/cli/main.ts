#!/usr/bin/env node
// The entry only turns on Node's on-disk compile cache (Node >= 22.1; absent on Node 20, where this
// does nothing) before the program's modules load: a restart then reuses the compiled code of
// every module instead of compiling it again. Static imports would load them before this ran.
import module from 'node:module';

module.enableCompileCache?.();
await import('./program.js');
