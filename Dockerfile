# One image for every Hydra service; the compose file picks the command per service.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests install

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/ops/target/hydra-ops-0.1.0-SNAPSHOT.jar /app/hydra.jar
COPY --from=build /src/ops/target/lib /app/lib
COPY config /app/config
ENV HYDRA_CONFIG=/app/config/hydra.yaml HYDRA_CONSTITUTION=/app/config/constitution.yaml HYDRA_DATA_DIR=/data
VOLUME /data
ENTRYPOINT ["java", "-cp", "/app/hydra.jar:/app/lib/*", "dev.hydra.ops.HydraCli"]
CMD ["--help"]
