import type { ApolloServerPlugin } from '@apollo/server';
import { httpAnswerFor } from './error-status.js';

/**
 * A response that is nothing but an error (no data, or null in every field
 * asked for) takes the HTTP status of its error's code: 401 for a mutation
 * without the admin token, 503 with Retry-After when the service is too busy
 * or its database is away. A response with data stays 200, as GraphQL over
 * HTTP wants.
 */
export function graphqlStatusPlugin<Context extends object>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (!errors?.length || !answeredNothing(data)) return;
          for (const error of errors) {
            const answer = httpAnswerFor(error.extensions?.code, error.extensions?.retryAfterSeconds);
            if (!answer) continue;
            response.http.status = answer.status;
            for (const [name, value] of Object.entries(answer.headers)) response.http.headers.set(name, value);
            return;
          }
        },
      };
    },
  };
}

function answeredNothing(data: Record<string, unknown> | null | undefined): boolean {
  return data === undefined || data === null || Object.values(data).every((value) => value === null);
}
