import { GoogleGenAI } from '@google/genai';

/**
 * The one place that knows how the SDK takes the key and the base URL. Without `baseUrl` the SDK
 * reads `GOOGLE_GEMINI_BASE_URL`, else uses Google's endpoint. The key is sent as `x-goog-api-key`.
 */
export function createGeminiClient(apiKey: string, baseUrl: string | undefined): GoogleGenAI {
  return new GoogleGenAI({ apiKey, ...(baseUrl ? { httpOptions: { baseUrl } } : {}) });
}
