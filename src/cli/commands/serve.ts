import type { Command } from '../command.js';
import { EXIT_OK } from '../command.js';

// Interim: the gateway lands with issue 4 and replaces this module.
const serve: Command = {
  name: 'serve',
  summary: 'Run the gateway (OpenAI- and Anthropic-compatible resilient proxy)',
  usage: 'Usage: bulwark serve [--config FILE] [--port N]\n\nThe gateway is being built; today the resilience core is usable as a library (see README).',
  async run() {
    console.log('Bulwark: the gateway is not in this build yet. The resilience core is ready as a library: see README.md.');
    return EXIT_OK;
  },
};
export default serve;
