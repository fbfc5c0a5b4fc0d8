import { Hono } from "hono";
import type { DashEnv } from "./context";

export const userRoutes = new Hono<DashEnv>();
