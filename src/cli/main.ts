#!/usr/bin/env node
import { runRisc } from './risc.js'

/** `npx fastify-google-oauth risc register|status|verify`: see `risc.ts`. */
process.exitCode = await runRisc(process.argv.slice(2), {
  out: (text) => { process.stdout.write(`${text}\n`) },
  err: (text) => { process.stderr.write(`${text}\n`) }
})
