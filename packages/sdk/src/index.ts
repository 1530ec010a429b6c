export { type ClientOptions, createClient, PondApiError, type PondClient } from './client.ts';
