/**
 * The Flywheel client SDK: dependency-free, for browsers and Node.
 *
 *   const flywheel = new FlywheelClient({ endpoint: 'https://flywheel.example.com/graphql', apiKey });
 *   const { interactionId, feedbackToken } = await flywheel.logInteraction({ workloadId, request, response });
 *   // in the browser, with the token the server handed over:
 *   const feedback = new FlywheelClient({ endpoint }).feedback(interactionId, feedbackToken);
 *   feedback.thumbsUp();
 */
export { editDistance, FeedbackHandle, FlywheelClient, FlywheelError, newId, type FlywheelOptions } from './client';
export { flushOnPageHide, trackCopy } from './browser';
export { interactionOf, wrapOpenAI, type LoggedCall, type OpenAILike, type WrapOptions } from './openai';
export { SignalQueue } from './queue';
export type * from './types';
