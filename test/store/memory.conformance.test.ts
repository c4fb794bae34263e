import { memoryStore } from '../../src/index.js';
import { storeConformance } from './conformance.js';

storeConformance('memory', () => ({ factory: () => memoryStore(), propertyRuns: 500 }));
