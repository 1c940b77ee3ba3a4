import { BadRequestException, HttpException, ServiceUnavailableException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { isServerError } from './server-error.js';

// The rule against Nest's own classes: what its built-in filter answers with a 5xx is a server error.
describe('isServerError', () => {
  const filter = new BaseExceptionFilter();

  it('takes an HttpException by its status', () => {
    expect(isServerError(filter, new HttpException('teapot', 418))).toBe(false);
    expect(isServerError(filter, new BadRequestException())).toBe(false);
    expect(isServerError(filter, new HttpException('down', 503))).toBe(true);
    expect(isServerError(filter, new ServiceUnavailableException())).toBe(true);
  });

  it('takes anything else as the 500 Nest answers', () => {
    expect(isServerError(filter, new Error('broke'))).toBe(true);
    expect(isServerError(filter, 'a thrown string')).toBe(true);
    expect(isServerError(filter, undefined)).toBe(true);
  });

  it('takes an http-errors shaped value by the status Nest answers it with', () => {
    const notFound = Object.assign(new Error('no such thing'), {
      expose: true,
      status: 404,
      statusCode: 404,
    });
    expect(isServerError(filter, notFound)).toBe(false);
    expect(isServerError(filter, { statusCode: 409, message: 'conflict' })).toBe(false);
    expect(isServerError(filter, { statusCode: 502, message: 'bad gateway' })).toBe(true);
    // Without the filter's own test (a filter that is not Nest's), only HttpException's status is read.
    expect(isServerError({}, { statusCode: 409, message: 'conflict' })).toBe(true);
  });
});
