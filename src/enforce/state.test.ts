import { MemoryBackend, memoryState } from './state.js';
import { runStateContract } from './test-support/state-contract.js';

runStateContract({
  name: 'memory',
  open: async () => {
    const backend = new MemoryBackend();
    return { a: memoryState(backend), b: memoryState(backend) };
  },
});
