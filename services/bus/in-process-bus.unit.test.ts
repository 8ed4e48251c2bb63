import { InProcessBus } from './in-process-bus';
import { describeBusContract } from './contract/bus-contract';

describeBusContract('InProcessBus', async ({ bufferSize }) => new InProcessBus({ bufferSize }));
