/** The OpenAI Chat Completions dialect: requests, responses, streams and error bodies. */
export { parseOpenAIRequest, toOpenAIRequest, type ParsedOpenAIRequest } from './openai-request.js';
export { fromOpenAIResponse, toOpenAIResponse, fromOpenAIFinishReason } from './openai-response.js';
export { OpenAIStreamDecoder, OpenAIStreamEncoder, type OpenAIStreamEncoderOptions } from './openai-stream.js';
export { toOpenAIErrorBody, fromOpenAIErrorBody, type OpenAIErrorBody } from './errors.js';
