import { Hono } from "hono";
import type { DashEnv } from "./context";

export const teamRoutes = new Hono<DashEnv>();
