import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GraphQLContext } from './context.js';

/**
 * Refuses the operation chosen to run when it is a mutation and the request
 * may not write. It runs once the operation is resolved (operationName picks
 * one of several in a document) and before any resolver, so nothing happens.
 */
export function writeAccessPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation === 'mutation' && !contextValue.mayWrite) {
            throw new GraphQLError('mutations need the admin token: send Authorization: Bearer <ADMIN_TOKEN>', {
              extensions: { code: 'UNAUTHENTICATED' },
            });
          }
        },
      };
    },
  };
}
