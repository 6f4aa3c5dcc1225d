import { createMemoryStore } from './memory.js';
import { runStoreContract } from './test-support/contract.js';

runStoreContract({ name: 'memory', create: createMemoryStore });
